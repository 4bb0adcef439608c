"""Who may do what: staff accounts with roles, API tokens, customer and admin sessions."""
