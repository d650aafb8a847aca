"""Teams, on-call shifts, how each person is reached, and the console's own notifications."""
