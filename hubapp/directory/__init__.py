"""地域資源: the hub's directory of organisations and people (program item (ア) of every program)."""
