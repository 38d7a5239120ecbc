"""Sales pages: the quotations list, the quotation editor with its live lines and totals, the quotation's
actions (send, accept, reject, revise, cancel, PDF), versions compared, and the sales orders."""
