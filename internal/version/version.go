// Package version is the one grammar of upstream versions and their
// ordering. Every version hashbot takes, from a flag, a webhook delivery or
// GitHub's release list, is checked with Parse before it reaches an API
// path, a branch name, the pins or a Nix argument; and it orders them the
// way maintainers read them, not as strings or dates: 2026.2.10 is newer
// than 2026.2.9 and 2026.2.3-rc1 older than 2026.2.3. The release watcher,
// the pull-request manager and the webhook queue all decide "newer" with it.
package version

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Version is a parsed release version: dot-separated numbers and an
// optional pre-release suffix ("2026.2.3", "2026.2.3-rc1", "1.2rc1").
type Version struct {
	Raw  string
	nums []int
	pre  string
}

// MaxLen bounds a version: upstream versions are short, and a long one
// is someone's attempt at something.
const MaxLen = 64

// versionRE is the grammar: one to eight dot-separated numbers of at most
// nine digits without leading zeros, an optional pre-release ("-rc1",
// "-beta.2", or "rc1" right after the number) of letters, digits, dots and
// dashes that starts and ends with a letter or digit, and optional build
// metadata ("+build.5"). Nothing else: no slash, no "..", no blank, no
// shell character.
var versionRE = regexp.MustCompile(`^((?:0|[1-9]\d{0,8})(?:\.(?:0|[1-9]\d{0,8})){0,7})` +
	`(?:-([0-9A-Za-z](?:[0-9A-Za-z-]|\.[0-9A-Za-z])*)|([A-Za-z](?:[0-9A-Za-z-]|\.[0-9A-Za-z])*))?` +
	`(?:\+[0-9A-Za-z](?:[0-9A-Za-z-]|\.[0-9A-Za-z])*)?$`)

// Parse parses s; ok is false when s is not a version.
func Parse(s string) (v Version, ok bool) {
	if len(s) > MaxLen {
		return Version{}, false
	}
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, false
	}
	for _, part := range strings.Split(m[1], ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return Version{}, false
		}
		v.nums = append(v.nums, n)
	}
	v.Raw, v.pre = s, m[2]+m[3]
	return v, true
}

// Prerelease says whether the version has a pre-release suffix.
func (v Version) Prerelease() bool { return v.pre != "" }

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
// Numbers compare numerically (2026.2.10 > 2026.2.9; missing parts are 0),
// a pre-release is older than its release (2026.2.3-rc1 < 2026.2.3), and
// pre-release suffixes compare by their runs of digits and letters
// (rc2 < rc10). Build metadata is ignored.
func (v Version) Compare(w Version) int {
	for i := range max(len(v.nums), len(w.nums)) {
		a, b := at(v.nums, i), at(w.nums, i)
		if a != b {
			return cmpInt(a, b)
		}
	}
	switch {
	case v.pre == w.pre:
		return 0
	case v.pre == "":
		return 1
	case w.pre == "":
		return -1
	}
	return comparePre(v.pre, w.pre)
}

func at(nums []int, i int) int {
	if i < len(nums) {
		return nums[i]
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var runRE = regexp.MustCompile(`\d+|[A-Za-z]+`)

// comparePre compares pre-release suffixes run by run: numbers numerically,
// words alphabetically, a number before a word, fewer runs first.
func comparePre(a, b string) int {
	ra, rb := runRE.FindAllString(a, -1), runRE.FindAllString(b, -1)
	for i := range min(len(ra), len(rb)) {
		na, errA := strconv.Atoi(ra[i])
		nb, errB := strconv.Atoi(rb[i])
		switch {
		case errA == nil && errB == nil:
			if na != nb {
				return cmpInt(na, nb)
			}
		case errA == nil:
			return -1
		case errB == nil:
			return 1
		default:
			if c := strings.Compare(ra[i], rb[i]); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(ra), len(rb))
}

// Check returns an error naming what (a flag, a field) when s is not a
// version.
func Check(what, s string) error {
	if _, ok := Parse(s); !ok {
		return fmt.Errorf("%s %q is not a version (numbers and dots, such as 2026.2.2 or 2026.2.3-rc1, at most %d characters)", what, s, MaxLen)
	}
	return nil
}

// Compare parses and compares two version strings: -1, 0 or +1 as a is
// older than, equal to or newer than b. ok is false when either is not a
// version.
func Compare(a, b string) (c int, ok bool) {
	va, okA := Parse(a)
	vb, okB := Parse(b)
	if !okA || !okB {
		return 0, false
	}
	return va.Compare(vb), true
}

// DowngradeError says a requested version is older than the pinned one:
// hashbot does not move a pin back unless it is asked to in so many words
// (run, check, update and apply take --allow-downgrade; the workflow an
// allow-downgrade input).
type DowngradeError struct {
	Requested, Pinned string
}

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("version %s is older than the pinned version %s: refusing to downgrade "+
		"(pass --allow-downgrade, or the workflow's allow-downgrade input, to pin %s anyway)", e.Requested, e.Pinned, e.Requested)
}

// CheckDowngrade is the one rule on moving a pin back: it returns a
// *DowngradeError when requested is older than pinned, and nil when it is
// not, when nothing is pinned, or when either is not a version (the
// grammar is checked elsewhere). A version equal to the pinned one, build
// metadata aside, is no downgrade.
func CheckDowngrade(requested, pinned string) error {
	if c, ok := Compare(requested, pinned); ok && c < 0 {
		return &DowngradeError{Requested: requested, Pinned: pinned}
	}
	return nil
}
