package nixlit

// The classes of bytes the lexer tells apart.

// punctuation is the kind of ( ) [ ] or ;.
func punctuation(c byte) kind {
	switch c {
	case '(':
		return tokLParen
	case ')':
		return tokRParen
	case '[':
		return tokLBrack
	case ']':
		return tokRBrack
	}
	return tokSemi
}

func isIDStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIDChar(c byte) bool { return isIDStart(c) || isDigit(c) || c == '\'' || c == '-' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isPathChar(c byte) bool {
	return isIDStart(c) || isDigit(c) || c == '.' || c == '-' || c == '+' || c == '~'
}

func isURIChar(c byte) bool {
	return isIDStart(c) || isDigit(c) || c != 0 && containsByte("%/?:@&=+$,-_.!~*'", c)
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
