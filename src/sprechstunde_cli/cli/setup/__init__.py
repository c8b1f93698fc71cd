"""Setting up: init, check, doctor, login, logout."""
