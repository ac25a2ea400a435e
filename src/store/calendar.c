/* Placeholder: its owner replaces this file. */
#include "store/store_int.h"

const char store_mig_calendar[] = "SELECT 1;";
