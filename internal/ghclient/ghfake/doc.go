// Package ghfake is a test server that answers like GitHub's REST API for the
// few endpoints hashbot reads: releases (listed, paginated, by tag), branches
// and file contents at a ref (JSON or the raw media type). It sends ETags,
// answers If-None-Match with 304, keeps rate-limit headers and logs every
// request, and lets a test inject faults (a 502, a rate limit, a slow answer)
// with Intercept. It is for tests only; nothing in hashbot's binaries uses it.
package ghfake
