// libpq, PostgreSQL's C client library (Debian: libpq-dev, which puts it under include/postgresql).
#include <libpq-fe.h>
