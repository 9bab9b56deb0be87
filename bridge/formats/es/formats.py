# Spanish: the named formats Bridge changes from Django's own Spanish formats (the rest come from Django).
# A day in a schedule names its weekday, as the English one does ("Tue Nov 17" / "martes 17 de noviembre").
MONTH_DAY_FORMAT = r"l j \d\e F"  # martes 17 de noviembre
