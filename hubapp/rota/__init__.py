"""当番表: the on-call rota of a physician group (主治医・副主治医制, 休日夜間の代診制)."""
