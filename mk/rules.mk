# The rule language (src/lib/rules): lexer, parser, fields, globs, evaluation.
# Linux only (POSIX regex); the Windows client does not evaluate rules.
LIB_SRCS += $(wildcard src/lib/rules/*.c)
