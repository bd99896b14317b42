# Outputs (src/lib/output): a bounded queue and a thread per sink (syslog).
LIB_SRCS += $(wildcard src/lib/output/*.c)
