"""The shift lead's review: today's figures, charts, handover note, exports."""
