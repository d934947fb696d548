// The module is its header (one inline function); SwiftPM builds a C target from
// at least one source file.
#include "prefetch.h"
