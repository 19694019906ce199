package pins

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// FlakeLock is a flake.lock as hashbot reads it: the root node's name, the
// format version and every node kept as it is. It is the one model of the
// lock: the guard (GuardFlakeLock), the inputs' fingerprints and the
// sources' locked revisions all read it.
type FlakeLock struct {
	Root    string                     `json:"root"`
	Version json.Number                `json:"version"`
	Nodes   map[string]json.RawMessage `json:"nodes"`
}

// LockNode is what hashbot reads of a flake.lock node: its input edges
// (a node's name, or a follows path), and its locked and original
// references.
type LockNode struct {
	Inputs   map[string]json.RawMessage `json:"inputs"`
	Locked   json.RawMessage            `json:"locked"`
	Original json.RawMessage            `json:"original"`
}

// LockRef is a locked or original reference, as far as hashbot reads it.
type LockRef struct {
	Type    string `json:"type"`
	Owner   string `json:"owner"`
	Repo    string `json:"repo"`
	Host    string `json:"host"`
	URL     string `json:"url"`
	Ref     string `json:"ref"`
	Rev     string `json:"rev"`
	NarHash string `json:"narHash"`
}

// commitRE is a full commit id: the one pattern of it (IsCommit).
var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// IsCommit says whether s is a full git commit id (40 lower-case hex
// digits), as GitHub names a branch's head and flake.lock a locked rev.
func IsCommit(s string) bool { return commitRE.MatchString(s) }

// ParseFlakeLock reads a flake.lock. A lock without a root names "root".
func ParseFlakeLock(data []byte) (*FlakeLock, error) {
	var l FlakeLock
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("not a flake.lock: %w", err)
	}
	if l.Nodes == nil {
		return nil, fmt.Errorf("not a flake.lock: no nodes")
	}
	if l.Root == "" {
		l.Root = "root"
	}
	return &l, nil
}

// Node is the node name; ok is false when the lock has none of that name
// or it is not a node.
func (l *FlakeLock) Node(name string) (n LockNode, ok bool) {
	raw, found := l.Nodes[name]
	if !found || json.Unmarshal(raw, &n) != nil {
		return LockNode{}, false
	}
	return n, true
}

// InputError is a flake input the lock does not hold as a node of its
// own: the root has no such input, or it follows another one.
type InputError struct {
	Input   string
	Follows bool
}

func (e *InputError) Error() string {
	if e.Follows {
		return fmt.Sprintf("the input %q follows another input: name that one", e.Input)
	}
	return fmt.Sprintf("the flake has no input %q", e.Input)
}

// InputNode is the name of the node the root's input is.
func (l *FlakeLock) InputNode(input string) (string, error) {
	root, _ := l.Node(l.Root)
	raw, ok := root.Inputs[input]
	if !ok {
		return "", &InputError{Input: input}
	}
	var node string
	if json.Unmarshal(raw, &node) != nil {
		return "", &InputError{Input: input, Follows: true}
	}
	return node, nil
}

// LockedRef is the locked reference of the root's input, compacted with
// its keys sorted (the same lock, the same bytes): the revision and
// narHash Nix fetches it at.
func (l *FlakeLock) LockedRef(input string) ([]byte, error) {
	name, err := l.InputNode(input)
	if err != nil {
		return nil, err
	}
	n, ok := l.Node(name)
	if !ok || len(n.Locked) == 0 {
		return nil, fmt.Errorf("the input %q is not locked", input)
	}
	var v any
	if err := json.Unmarshal(n.Locked, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// Refs are the node's locked and original references; ok is false when
// either is missing or not a reference.
func (n LockNode) Refs() (locked, original LockRef, ok bool) {
	if json.Unmarshal(n.Locked, &locked) != nil || json.Unmarshal(n.Original, &original) != nil {
		return LockRef{}, LockRef{}, false
	}
	return locked, original, true
}

// SameRepo says whether r and o name the same repository: the same type,
// and for a forge (github, gitlab, sourcehut) the same host, owner and
// repo (GitHub's names are case-insensitive), for git, mercurial and
// archives the same URL. Anything else (an indirect input, a path) is no
// repository hashbot can vouch for.
func (r LockRef) SameRepo(o LockRef) bool {
	if r.Type != o.Type {
		return false
	}
	switch r.Type {
	case "github", "gitlab", "sourcehut":
		return r.Owner != "" && r.Repo != "" && strings.EqualFold(r.Host, o.Host) &&
			strings.EqualFold(r.Owner, o.Owner) && strings.EqualFold(r.Repo, o.Repo)
	case "git", "hg", "mercurial", "tarball", "file":
		return r.URL != "" && r.URL == o.URL
	}
	return false
}

// String names the repository r is, as a flake reference would:
// github:owner/repo, git+URL.
func (r LockRef) String() string {
	switch {
	case r.Owner != "" || r.Repo != "":
		s := r.Type + ":" + r.Owner + "/" + r.Repo
		if r.Host != "" {
			s += "?host=" + r.Host
		}
		return s
	case r.URL != "":
		return r.Type + "+" + r.URL
	}
	return r.Type + " input"
}

// sameJSON says whether a and b hold the same JSON value.
func sameJSON(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func sortedKeys(maps ...map[string]json.RawMessage) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// MovedInputs are the inputs among inputs whose locked reference differs
// from old to next, each with its locked reference in next (LockedRef):
// what Nix must fetch to prove a moved lock. An input missing from either
// lock is an error.
func MovedInputs(old, next []byte, inputs []string) (map[string][]byte, error) {
	o, err := ParseFlakeLock(old)
	if err != nil {
		return nil, err
	}
	n, err := ParseFlakeLock(next)
	if err != nil {
		return nil, err
	}
	moved := map[string][]byte{}
	for _, in := range inputs {
		was, err := o.LockedRef(in)
		if err != nil {
			return nil, err
		}
		now, err := n.LockedRef(in)
		if err != nil {
			return nil, err
		}
		if string(was) != string(now) {
			moved[in] = now
		}
	}
	return moved, nil
}
