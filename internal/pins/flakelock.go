package pins

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
)

// lockFile is a flake.lock as the guard reads it: every node kept as it is.
type lockFile struct {
	Root    string                     `json:"root"`
	Version json.Number                `json:"version"`
	Nodes   map[string]json.RawMessage `json:"nodes"`
}

// lockNode is what the guard reads of a node.
type lockNode struct {
	Inputs map[string]json.RawMessage `json:"inputs"`
	Locked struct {
		Rev     string `json:"rev"`
		NarHash string `json:"narHash"`
	} `json:"locked"`
}

var lockedRevRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// GuardFlakeLock checks a change of a flake.lock that moves the flake's
// inputs named in inputs (the sources hashbot moves with Nix): the same
// lock format and root, every node but those inputs' (and the nodes they
// bring) unchanged, and each of theirs locked at a commit with a real
// hash. Nix wrote the new lock; the guard makes sure that it moved only
// what the run meant to move. path names the file in errors.
func GuardFlakeLock(path string, old, next []byte, inputs []string) error {
	refuse := func(reason string) error { return &GuardError{Path: path, Reason: reason} }
	var o, n lockFile
	if err := json.Unmarshal(old, &o); err != nil || o.Nodes == nil {
		return refuse("the old lock is not a flake.lock")
	}
	if err := json.Unmarshal(next, &n); err != nil || n.Nodes == nil {
		return refuse("the new lock is not a flake.lock")
	}
	if o.Root != n.Root || o.Version != n.Version {
		return refuse("the lock's root or version changed")
	}
	root := n.Root
	if root == "" {
		root = "root"
	}
	if !sameJSON(o.Nodes[root], n.Nodes[root]) {
		return refuse("the root's inputs changed")
	}
	moved := map[string]bool{}
	var rootNode lockNode
	if err := json.Unmarshal(n.Nodes[root], &rootNode); err != nil {
		return refuse("the root node is not a flake.lock node")
	}
	// The moved inputs' nodes, and the nodes they bring, in either lock.
	var walk func(nodes map[string]json.RawMessage, name string)
	walk = func(nodes map[string]json.RawMessage, name string) {
		if moved[name] {
			return
		}
		moved[name] = true
		var node lockNode
		if json.Unmarshal(nodes[name], &node) != nil {
			return
		}
		for _, raw := range node.Inputs {
			var next string
			if json.Unmarshal(raw, &next) == nil {
				walk(nodes, next)
			}
		}
	}
	for _, in := range inputs {
		var node string
		if json.Unmarshal(rootNode.Inputs[in], &node) == nil {
			for _, nodes := range []map[string]json.RawMessage{o.Nodes, n.Nodes} {
				delete(moved, node)
				walk(nodes, node)
			}
		}
	}
	for _, name := range sortedKeys(o.Nodes, n.Nodes) {
		if moved[name] {
			continue
		}
		if !sameJSON(o.Nodes[name], n.Nodes[name]) {
			return refuse("node " + name + " changed, and it is none of the inputs moved")
		}
	}
	for _, in := range inputs {
		var name string
		if json.Unmarshal(rootNode.Inputs[in], &name) != nil {
			continue
		}
		var node lockNode
		if err := json.Unmarshal(n.Nodes[name], &node); err != nil {
			return refuse("the input " + in + " has no node")
		}
		if !lockedRevRE.MatchString(node.Locked.Rev) {
			return refuse("the input " + in + " is not locked at a commit")
		}
		if err := CheckHash(path+" "+name+".locked.narHash", node.Locked.NarHash); err != nil {
			return refuse(err.Error())
		}
	}
	return nil
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
