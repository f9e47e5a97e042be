package policygen

import (
	"fmt"

	"github.com/gochalice/gochalice/internal/execrole"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/manifest"
)

// addBaseline grants what the function's role needs whatever its code
// calls, from the one source the deployer uses too (internal/execrole):
// its own log group, the reads of a pull source (an event source mapping
// reads the queue or stream with the function's role), the sends to a
// failure destination and, in a VPC, its network interfaces. A push
// source invokes the function through a resource-based permission
// instead, which a note says.
func (fb *fnBuilder) addBaseline(f manifest.Function, n names.Function, vpc bool) {
	role := execrole.For(f, n, tpl, execrole.Options{VPC: vpc})
	for _, need := range role.Needs {
		fb.grantNeed(need)
		if need.Unknown {
			fb.diag(Warning, CodeEnvUnset, Position{}, fmt.Sprintf("function %s: the %s is not known (empty in the manifest), so the %s statement's resource is \"*\"", f.Name, need.Purpose.Source(), need.Purpose.Source()),
				fmt.Sprintf("set the environment variable that names the %s for function %s in the stage config", need.Purpose.Source(), f.Name))
		}
	}
	fb.result.Notes = append(fb.result.Notes, role.Notes...)
	if d := f.OnFailure; d != nil && d.Destination != "" {
		if _, ok := execrole.SendFailedEvents(d.DestinationKind, d.Destination); !ok {
			fb.diag(Warning, CodeBadManifest, Position{}, fmt.Sprintf("function %s: the failure destination %s has kind %q, which is neither %q nor %q, so the role has no statement for it", f.Name, d.Destination, d.DestinationKind, manifest.DestinationSQS, manifest.DestinationSNS),
				"rebuild the app against the same gochalice version as the CLI")
		}
	}
}

// addLogs grants CloudWatch Logs writes to the log group of the Lambda
// function lambdaName; with no name (gen-policy --main without
// --function-name), to the log groups of every Lambda function of the
// account and region.
func (fb *fnBuilder) addLogs(lambdaName string) {
	need := execrole.FunctionLogs(tpl, lambdaName)
	if lambdaName == "" {
		need = execrole.FunctionLogs(tpl, "*")
		need.Reason = "CloudWatch Logs for Lambda log groups (the function's name is not known: give it to narrow this)"
	}
	fb.grantNeed(need)
}

// grantNeed grants a need's actions on its resource, for its reason.
func (fb *fnBuilder) grantNeed(need execrole.Need) {
	for _, a := range need.Actions {
		fb.grant(a, []string{need.Resource}, Reason{Operation: need.Reason})
	}
}
