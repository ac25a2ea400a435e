/* Placeholder: its owner replaces this file. */
#include "store/store_int.h"

const char store_mig_incidents[] = "SELECT 1;";
