package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	// sriRE finds SRI hashes; one whose base64 is all 'A' is Nix's fakeHash.
	sriRE = regexp.MustCompile(`(?:sha1|sha256|sha512)-([A-Za-z0-9+/]+=*)`)
	// zeroRE finds 32 or more '0's standing alone: the nix32 (lib.fakeSha256)
	// or hex all-zero hash.
	zeroRE = regexp.MustCompile(`(?:^|[^0-9a-zA-Z])0{32,}(?:$|[^0-9a-zA-Z])`)
)

// GuardPinsChange checks a pins change before it is committed. It refuses,
// with a *GuardError naming the JSON path, new content that is not JSON,
// that holds a fake hash anywhere (an SRI hash whose base64 is all 'A', like
// "sha256-AAAA…=", or an all-zero nix32/hex hash), or that holds a null where
// the old content had no null at the same path. Old content that is not JSON
// is refused too.
func GuardPinsChange(oldContent, newContent []byte) error {
	newV, err := decodeJSON(newContent)
	if err != nil {
		return &GuardError{Reason: "new pins are not valid JSON: " + err.Error()}
	}
	oldV, err := decodeJSON(oldContent)
	if err != nil {
		return &GuardError{Reason: "old pins are not valid JSON: " + err.Error()}
	}
	return walkGuard("$", newV, oldV, true)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// walkGuard checks newV at path against oldV (oldOK: the path exists in the
// old content).
func walkGuard(path string, newV, oldV any, oldOK bool) error {
	switch nv := newV.(type) {
	case nil:
		if !oldOK || oldV != nil {
			return &GuardError{Path: path, Reason: "null where there was none before"}
		}
	case string:
		if reason := fakeHashReason(nv); reason != "" {
			return &GuardError{Path: path, Reason: reason}
		}
	case map[string]any:
		om, isMap := oldV.(map[string]any)
		keys := make([]string, 0, len(nv))
		for k := range nv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ov, ok := om[k]
			if err := walkGuard(childPath(path, k), nv[k], ov, ok && isMap); err != nil {
				return err
			}
		}
	case []any:
		oa, isArr := oldV.([]any)
		for i, v := range nv {
			var ov any
			ok := isArr && i < len(oa)
			if ok {
				ov = oa[i]
			}
			if err := walkGuard(fmt.Sprintf("%s[%d]", path, i), v, ov, ok); err != nil {
				return err
			}
		}
	}
	return nil
}

func childPath(path, key string) string {
	if key != "" && strings.IndexFunc(key, func(r rune) bool {
		return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return path + "." + key
	}
	return fmt.Sprintf("%s[%q]", path, key)
}

// fakeHashReason returns why s holds a placeholder hash, or "".
func fakeHashReason(s string) string {
	for _, m := range sriRE.FindAllStringSubmatch(s, -1) {
		if strings.Trim(strings.TrimRight(m[1], "="), "A") == "" {
			return fmt.Sprintf("fake hash %q", m[0])
		}
	}
	if zeroRE.MatchString(s) {
		return fmt.Sprintf("all-zero hash in %q", s)
	}
	return ""
}
