# Spanish: the named formats Bridge changes from Django's own Spanish formats (the rest come from Django).
# A day in a schedule names its weekday, as the English one does ("Tue Nov 17" / "martes 17 de noviembre").
MONTH_DAY_FORMAT = r"l j \d\e F"  # martes 17 de noviembre
# Spanish as read in the United States (as Django's es_MX and the US's own Spanish-language forms):
# a point before the cents and a comma between thousands, so a bill reads "$1,200.00", not "$1.200,00".
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
