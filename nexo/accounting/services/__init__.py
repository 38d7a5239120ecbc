"""Every state change of the ledger: one function per business action, each in one transaction."""
