"""Collection and payment (layer 8): due amounts, payments and receipts matched to them, a party's position
and credit, aging and reminders, SEPA direct debit, bank statements. It reads invoicing's documents and posts
through accounting's services; nothing below imports it (lower modules reach it through core.modules hooks)."""
