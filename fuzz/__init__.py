"""Coverage-guided fuzz harnesses (``make fuzz``); see README.md in this folder."""
