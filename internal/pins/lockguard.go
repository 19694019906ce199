package pins

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// LockError is a change of a flake.lock the guard refused: the file, the
// node it names ("" for the lock as a whole) and why.
type LockError struct {
	Path, Node, Reason string
}

func (e *LockError) Error() string {
	if e.Node == "" {
		return fmt.Sprintf("pins guard: %s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("pins guard: %s node %q: %s", e.Path, e.Node, e.Reason)
}

// Is makes errors.Is(err, ErrGuard) true.
func (e *LockError) Is(target error) bool { return target == ErrGuard }

// lockedMoves are the keys of a locked reference that move when Nix locks
// the same input at another commit; every other one (type, owner, repo,
// host, url, ref, dir, submodules…) must stay.
var lockedMoves = []string{"rev", "narHash", "lastModified", "revCount"}

// GuardFlakeLock checks a change of a flake.lock from old to next that
// moves the flake inputs in revs (input name → the commit the check of the
// branch it follows gave) and nothing else. The lock's format, root and
// every node but the moved inputs' own stay as they were; a moved input's
// node keeps its input edges and original, and only its locked revision
// and what comes with it (narHash, lastModified, revCount) moves: locked
// in the repository its original names, at the commit in revs, with a
// real narHash. A node that is also another node's input is not moved.
// An input not in revs does not move. Nix's narHash for the commit is
// Nix's to prove (fod.Engine.VerifyLocked); the guard proves where it
// points. It returns a *LockError naming the node; path names the file.
func GuardFlakeLock(path string, old, next []byte, revs map[string]string) error {
	refuse := func(node, format string, args ...any) error {
		return &LockError{Path: path, Node: node, Reason: fmt.Sprintf(format, args...)}
	}
	o, err := ParseFlakeLock(old)
	if err != nil {
		return refuse("", "the old lock is %v", err)
	}
	n, err := ParseFlakeLock(next)
	if err != nil {
		return refuse("", "the new lock is %v", err)
	}
	if _, err := parseValue(next, "the lock"); err != nil {
		return refuse("", "the new lock is not one reading: %v", err) // a duplicate key: Nix may read the other
	}
	if o.Root != n.Root || o.Version != n.Version {
		return refuse("", "the lock's root or version changed")
	}
	if !sameJSON(o.Nodes[o.Root], n.Nodes[n.Root]) {
		return refuse(n.Root, "the root's inputs changed")
	}
	moving := map[string]string{} // node -> input
	for _, in := range slices.Sorted(maps.Keys(revs)) {
		name, err := n.InputNode(in)
		if err != nil {
			return refuse("", "%v", err)
		}
		if !IsCommit(revs[in]) {
			return refuse(name, "the input %s has no commit to be locked at (%.50q)", in, revs[in])
		}
		if other, dup := moving[name]; dup {
			return refuse(name, "the node of both inputs %s and %s", other, in)
		}
		moving[name] = in
	}
	for _, name := range sortedKeys(o.Nodes, n.Nodes) {
		if _, ok := moving[name]; ok || sameJSON(o.Nodes[name], n.Nodes[name]) {
			continue
		}
		switch {
		case o.Nodes[name] == nil:
			return refuse(name, "added, and only a moved input's own node may change")
		case n.Nodes[name] == nil:
			return refuse(name, "removed, and only a moved input's own node may change")
		}
		if len(moving) == 0 {
			return refuse(name, "changed, and no input moves")
		}
		return refuse(name, "changed, and it is not the node of an input that moves (%s)", strings.Join(slices.Sorted(maps.Values(moving)), ", "))
	}
	for _, name := range slices.Sorted(maps.Keys(moving)) {
		if sameJSON(o.Nodes[name], n.Nodes[name]) {
			continue // not moved: nothing to prove
		}
		if err := guardMovedNode(o, n, name, moving[name], revs[moving[name]]); err != nil {
			return refuse(name, "the input %s: %v", moving[name], err)
		}
	}
	return nil
}

// guardMovedNode checks the node name of input, moved to rev.
func guardMovedNode(o, n *FlakeLock, name, input, rev string) error {
	for _, l := range []*FlakeLock{o, n} {
		for _, other := range slices.Sorted(maps.Keys(l.Nodes)) {
			node, _ := l.Node(other)
			for _, in := range slices.Sorted(maps.Keys(node.Inputs)) {
				var to string
				if json.Unmarshal(node.Inputs[in], &to) != nil || to != name || (other == l.Root && in == input) {
					continue
				}
				return fmt.Errorf("its node is also the input %s of node %q, which would move with it", in, other)
			}
		}
	}
	var oldNode, newNode map[string]json.RawMessage
	if json.Unmarshal(o.Nodes[name], &oldNode) != nil || json.Unmarshal(n.Nodes[name], &newNode) != nil {
		return fmt.Errorf("not a flake.lock node")
	}
	for _, key := range sortedKeys(oldNode, newNode) {
		if key != "locked" && !sameJSON(oldNode[key], newNode[key]) {
			return fmt.Errorf("its %s changed: only its locked reference moves", key)
		}
	}
	var oldLocked, newLocked map[string]json.RawMessage
	if json.Unmarshal(oldNode["locked"], &oldLocked) != nil || json.Unmarshal(newNode["locked"], &newLocked) != nil {
		return fmt.Errorf("locked is not a reference")
	}
	for _, key := range sortedKeys(oldLocked, newLocked) {
		if !slices.Contains(lockedMoves, key) && !sameJSON(oldLocked[key], newLocked[key]) {
			return fmt.Errorf("its locked %s changed: only the commit moves", key)
		}
	}
	node, _ := n.Node(name)
	locked, original, ok := node.Refs()
	switch {
	case !ok:
		return fmt.Errorf("its locked or original is not a reference")
	case !locked.SameRepo(original):
		return fmt.Errorf("locked in %s, but its original is %s", locked, original)
	case locked.Rev != rev:
		return fmt.Errorf("locked at %.50q, but the check of the branch it follows gave %s", locked.Rev, rev)
	}
	return CheckHash("locked.narHash", locked.NarHash)
}
