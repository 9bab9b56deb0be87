"""Every instrument, in the order the API lists them."""

from bridge.instruments.definitions.alcohol_drugs import AUDIT, AUDITC, BAM, DAST10, DSM5_SUD
from bridge.instruments.definitions.mood import GAD2, GAD7, PCL5, PHQ2, PHQ9
from bridge.instruments.definitions.safety import CSSRS_SCREENER
from bridge.instruments.definitions.withdrawal import CIWA_AR, COWS

ALL = (PHQ9, PHQ2, GAD7, GAD2, AUDIT, AUDITC, DAST10, CIWA_AR, COWS, BAM, PCL5, CSSRS_SCREENER, DSM5_SUD)
