package deployer

import (
	"fmt"
	"strings"
)

// crossRegionWarning is the plan's warning for a function whose event
// source mapping reads a stream or queue in another region than the stage
// deploys to: Lambda maps only sources of its own region, so AWS would
// refuse the mapping. "" when the regions agree or either is not known
// (a template's pseudo parameter, a plan without a region).
func crossRegionWarning(function, sourceARN, region string) string {
	parts := strings.SplitN(sourceARN, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	srcRegion := parts[3]
	known := func(r string) bool { return r != "" && !strings.ContainsAny(r, "<>${}") }
	if !known(srcRegion) || !known(region) || srcRegion == region {
		return ""
	}
	return fmt.Sprintf("function %s: its event source %s is in region %s, but the stage deploys to %s: Lambda reads DynamoDB streams, Kinesis streams and SQS queues only in its own region, so AWS will refuse the mapping; deploy the stage to %s or use a source in %s",
		function, sourceARN, srcRegion, region, srcRegion, region)
}
