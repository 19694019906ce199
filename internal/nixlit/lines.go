package nixlit

import (
	"bytes"
	"sort"
)

// lineIndex is where each line of a source starts, found in one pass, so
// that the line and column of any offset are a binary search away instead
// of a rescan of the source before it.
type lineIndex struct {
	starts []int // starts[k] is the offset of line k+1
	size   int
}

func newLineIndex(src []byte) lineIndex {
	x := lineIndex{starts: []int{0}, size: len(src)}
	for at := 0; ; {
		i := bytes.IndexByte(src[at:], '\n')
		if i < 0 {
			return x
		}
		at += i + 1
		x.starts = append(x.starts, at)
	}
}

// position is the 1-based line and column (in bytes) of offset.
func (x lineIndex) position(offset int) (line, col int) {
	offset = max(min(offset, x.size), 0)
	line = sort.Search(len(x.starts), func(k int) bool { return x.starts[k] > offset })
	return line, offset - x.starts[line-1] + 1
}
