package pins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrGuard is matched by a *GuardError: a pins change looks wrong and was
// not committed.
var ErrGuard = errors.New("pins change refused")

// GuardError says why a pins change was refused before committing.
type GuardError struct {
	Path   string // JSON path inside the pins
	Reason string
}

func (e *GuardError) Error() string {
	if e.Path == "" {
		return "pins guard: " + e.Reason
	}
	return fmt.Sprintf("pins guard: %s at %s", e.Reason, e.Path)
}

// Is makes errors.Is(err, ErrGuard) true.
func (e *GuardError) Is(target error) bool { return target == ErrGuard }

// GuardChange checks a pins change before it is committed or written. It
// refuses, with a *GuardError naming the JSON path, new content that is not
// JSON, that puts a fake hash anywhere (FakeReason: hashbot's placeholders,
// lib.fakeHash and every other digest of one byte repeated, in any form)
// where the old content had another value, that puts a Nix hash of another
// algorithm than sha256 (md5, sha1, sha512: algoReason) where the old
// content had another value, or that holds a null where the old content had
// no null at the same path. Old content that is not JSON is
// refused too.
func GuardChange(oldContent, newContent []byte) error {
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
		// A fake kept as it was is not this change's (hashbot's check
		// reports it stale); a new or changed one is refused.
		if ov, same := oldV.(string); oldOK && same && ov == nv {
			return nil
		}
		if reason := fakeIn(nv); reason != "" {
			return &GuardError{Path: path, Reason: reason}
		}
		// A value that is a Nix hash is one of an algorithm hashbot pins.
		if h, err := parseHash(nv); err == nil {
			if reason := algoReason(h); reason != "" {
				return &GuardError{Path: path, Reason: reason}
			}
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
