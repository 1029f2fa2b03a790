// FreeType's headers are reached through its configuration macro, which a module map cannot name.
#include <ft2build.h>
#include FT_FREETYPE_H
