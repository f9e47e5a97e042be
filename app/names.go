package app

import "strings"

// The checks of names, ARNs and expressions that registration applies,
// written as plain code rather than regular expressions: a package-level
// regexp is compiled when the package is initialised, at every cold start
// of every function of the app, whether or not it registers anything that
// needs it (about 10 ms and 22,000 allocations for the 19 this file
// replaces). Each function's comment gives the expression it implements;
// TestNamesMatchRegexps holds it to that expression.

// span reports whether s has between min and max bytes (max < 0: no
// limit), all in the class.
func span(s string, min, max int, in func(byte) bool) bool {
	if len(s) < min || max >= 0 && len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !in(s[i]) {
			return false
		}
	}
	return true
}

// Byte classes. Bytes of multi-byte UTF-8 sequences are in none of them,
// as no non-ASCII rune is in the classes they replace.

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isAlpha(c byte) bool { return isLower(c) || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

// isWord is [A-Za-z0-9_-], the characters of app, function and
// authorizer names and of SQS and SNS names.
func isWord(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// isDotWord is [A-Za-z0-9_.-], the characters of DynamoDB table and
// Kinesis stream names.
func isDotWord(c byte) bool { return isWord(c) || c == '.' }

// isRegion is [a-z0-9-], the characters of a region.
func isRegion(c byte) bool { return isLower(c) || isDigit(c) || c == '-' }

// isName reports whether s is an app, function or authorizer name:
// ^[A-Za-z0-9_-]+$.
func isName(s string) bool { return span(s, 1, -1, isWord) }

// cutARN cuts ^arn:aws[a-z-]*:SERVICE: (aws, aws-cn, aws-us-gov, ...) off
// s and returns the rest.
func cutARN(s, service string) (rest string, ok bool) {
	rest, ok = strings.CutPrefix(s, "arn:aws")
	if !ok {
		return "", false
	}
	partition, rest, ok := strings.Cut(rest, ":")
	if !ok || !span(partition, 0, -1, func(c byte) bool { return isLower(c) || c == '-' }) {
		return "", false
	}
	return strings.CutPrefix(rest, service+":")
}

// cutRegionalARN cuts ^arn:aws[a-z-]*:SERVICE:[a-z0-9-]+:\d{12}: off s
// and returns the rest, the resource.
func cutRegionalARN(s, service string) (resource string, ok bool) {
	rest, ok := cutARN(s, service)
	if !ok {
		return "", false
	}
	region, rest, ok := strings.Cut(rest, ":")
	if !ok || !span(region, 1, -1, isRegion) {
		return "", false
	}
	account, rest, ok := strings.Cut(rest, ":")
	if !ok || !span(account, 12, 12, isDigit) {
		return "", false
	}
	return rest, true
}

// isUserPoolARN reports whether s is a Cognito user pool ARN:
// ^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[a-z0-9-]+_[A-Za-z0-9]+$.
func isUserPoolARN(s string) bool {
	rest, ok := cutRegionalARN(s, "cognito-idp")
	if !ok {
		return false
	}
	id, ok := strings.CutPrefix(rest, "userpool/")
	if !ok {
		return false
	}
	region, pool, ok := strings.Cut(id, "_")
	return ok && span(region, 1, -1, isRegion) && span(pool, 1, -1, isAlnum)
}

// headerSource returns the header an identity source names:
// ^method\.request\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)$, the header
// being an HTTP token.
func headerSource(s string) (header string, ok bool) {
	header, ok = strings.CutPrefix(s, "method.request.header.")
	if !ok || !span(header, 1, -1, func(c byte) bool { return isAlnum(c) || strings.IndexByte("!#$%&'*+.^_`|~-", c) >= 0 }) {
		return "", false
	}
	return header, true
}

// isRequestSource reports whether s is an identity source of a REQUEST
// authorizer:
// ^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^\s.]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$,
// where \s is [\t\n\f\r ].
func isRequestSource(s string) bool {
	if rest, ok := strings.CutPrefix(s, "method.request."); ok {
		kind, name, ok := strings.Cut(rest, ".")
		switch kind {
		case "header", "querystring", "multivalueheader", "multivaluequerystring":
			return ok && span(name, 1, -1, func(c byte) bool { return strings.IndexByte("\t\n\f\r .", c) < 0 })
		}
		return false
	}
	if name, ok := strings.CutPrefix(s, "stageVariables."); ok {
		return span(name, 1, -1, func(c byte) bool { return isAlnum(c) || c == '_' })
	}
	if name, ok := strings.CutPrefix(s, "context."); ok {
		return span(name, 1, -1, func(c byte) bool { return isAlnum(c) || c == '_' || c == '.' })
	}
	return false
}

// isTableName reports whether s is a DynamoDB table name:
// ^[A-Za-z0-9_.-]{3,255}$.
func isTableName(s string) bool { return span(s, 3, 255, isDotWord) }

// isStreamARN reports whether s is a DynamoDB stream ARN:
// ^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}/stream/[0-9A-Za-z:._-]+$.
func isStreamARN(s string) bool {
	rest, ok := cutRegionalARN(s, "dynamodb")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(rest, "table/")
	if !ok {
		return false
	}
	table, rest, ok := strings.Cut(rest, "/")
	if !ok || !isTableName(table) {
		return false
	}
	label, ok := strings.CutPrefix(rest, "stream/")
	return ok && span(label, 1, -1, func(c byte) bool { return isDotWord(c) || c == ':' })
}

// isQueueName reports whether s is an SQS queue name without its ".fifo":
// ^[A-Za-z0-9_-]{1,80}$.
func isQueueName(s string) bool { return span(s, 1, 80, isWord) }

// queueARN returns the queue name of an SQS queue ARN:
// ^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_.-]+)$.
func queueARN(s string) (name string, ok bool) {
	name, ok = cutRegionalARN(s, "sqs")
	if !ok || !span(name, 1, -1, isDotWord) {
		return "", false
	}
	return name, true
}

// isTopicName reports whether s is an SNS topic name without its ".fifo":
// ^[A-Za-z0-9_-]{1,256}$.
func isTopicName(s string) bool { return span(s, 1, 256, isWord) }

// topicARN returns the topic name of an SNS topic ARN:
// ^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_.-]+)$.
func topicARN(s string) (name string, ok bool) {
	name, ok = cutRegionalARN(s, "sns")
	if !ok || !span(name, 1, -1, isDotWord) {
		return "", false
	}
	return name, true
}

// bucketARN returns the bucket name of an S3 bucket ARN:
// ^arn:aws[a-z-]*:s3:::([^/]+)$.
func bucketARN(s string) (name string, ok bool) {
	rest, ok := cutARN(s, "s3")
	if !ok {
		return "", false
	}
	name, ok = strings.CutPrefix(rest, "::")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// isBucketName reports whether s has the characters and length of an S3
// bucket name: ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$.
func isBucketName(s string) bool {
	end := func(c byte) bool { return isLower(c) || isDigit(c) }
	return len(s) >= 3 && end(s[0]) && end(s[len(s)-1]) &&
		span(s[1:len(s)-1], 1, 61, func(c byte) bool { return end(c) || c == '.' || c == '-' })
}

// isDottedQuad reports whether s looks like an IPv4 address:
// ^\d+\.\d+\.\d+\.\d+$.
func isDottedQuad(s string) bool {
	for range 3 {
		part, rest, ok := strings.Cut(s, ".")
		if !ok || !span(part, 1, -1, isDigit) {
			return false
		}
		s = rest
	}
	return span(s, 1, -1, isDigit)
}

// isKinesisName reports whether s is a Kinesis stream name:
// ^[A-Za-z0-9_.-]{1,128}$.
func isKinesisName(s string) bool { return span(s, 1, 128, isDotWord) }

// isKinesisARN reports whether s is a Kinesis stream ARN:
// ^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/([A-Za-z0-9_.-]{1,128})$.
func isKinesisARN(s string) bool {
	rest, ok := cutRegionalARN(s, "kinesis")
	if !ok {
		return false
	}
	name, ok := strings.CutPrefix(rest, "stream/")
	return ok && isKinesisName(name)
}

// isBusName reports whether s is an EventBridge event bus name:
// ^[A-Za-z0-9/._-]{1,256}$.
func isBusName(s string) bool {
	return span(s, 1, 256, func(c byte) bool { return isDotWord(c) || c == '/' })
}

// isBusARN reports whether s is an EventBridge event bus ARN:
// ^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus/[A-Za-z0-9/._-]{1,256}$.
func isBusARN(s string) bool {
	rest, ok := cutRegionalARN(s, "events")
	if !ok {
		return false
	}
	name, ok := strings.CutPrefix(rest, "event-bus/")
	return ok && isBusName(name)
}

// parseRate splits a rate expression into its value and unit:
// ^rate\((\d+) ([a-z]+)\)$.
func parseRate(s string) (value, unit string, ok bool) {
	inner, ok := strings.CutPrefix(s, "rate(")
	if !ok {
		return "", "", false
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok {
		return "", "", false
	}
	value, unit, ok = strings.Cut(inner, " ")
	if !ok || !span(value, 1, -1, isDigit) || !span(unit, 1, -1, isLower) {
		return "", "", false
	}
	return value, unit, true
}

// isS3EventName reports whether s is shaped like an S3 event type:
// ^s3:[A-Za-z]+(:[A-Za-z]+|:\*)?$.
func isS3EventName(s string) bool {
	rest, ok := strings.CutPrefix(s, "s3:")
	if !ok {
		return false
	}
	kind, detail, found := strings.Cut(rest, ":")
	return span(kind, 1, -1, isAlpha) && (!found || detail == "*" || span(detail, 1, -1, isAlpha))
}
