"""LoRA fine-tuning of the answer model on examples built from the user's notes."""
