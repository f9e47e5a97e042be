package deployer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/manifest"
)

// pseudoParameters are the CloudFormation pseudo parameters a package
// template may refer to (arn's placeholders, by name: "AWS::Region"), and
// the Terraform expression of each.
func pseudoParameters() map[string]string {
	name := func(placeholder string) string { return strings.TrimSuffix(strings.TrimPrefix(placeholder, "${"), "}") }
	return map[string]string{
		name(arn.PartitionPlaceholder): "data.aws_partition.chalice.partition",
		name(arn.RegionPlaceholder):    "data.aws_region.chalice.name",
		name(arn.AccountPlaceholder):   "data.aws_caller_identity.chalice.account_id",
		name(arn.URLSuffixPlaceholder): "data.aws_partition.chalice.dns_suffix",
	}
}

// isTemplateReference reports whether s is a whole template placeholder
// such as "${HandleStreamStreamArn}", a value only the stack knows.
func isTemplateReference(s string) bool {
	return len(s) > 3 && strings.HasPrefix(s, "${") && strings.IndexByte(s, '}') == len(s)-1
}

// StreamParameter is a value a package template takes as a parameter
// (CloudFormation) or variable (Terraform): the stream ARN of a table that
// a stream function names instead of a stream ARN. gochalice deploy looks
// the stream up; a template cannot, since it does not define the table.
type StreamParameter struct {
	// Name is the CloudFormation parameter's logical ID,
	// "<Table>StreamArn".
	Name string
	// Variable is the Terraform variable's name, "<table>_stream_arn".
	Variable string
	// Table is the DynamoDB table whose stream it is.
	Table string
	// Functions are the functions that read it.
	Functions []string
}

// Description says what value a parameter takes and how to find it.
func (p StreamParameter) Description() string {
	return fmt.Sprintf("ARN of the DynamoDB stream of table %s, read by %s (aws dynamodb describe-table --table-name %s --query Table.LatestStreamArn --output text)",
		p.Table, strings.Join(p.Functions, ", "), p.Table)
}

// Package is an app stage ready to be written as a CloudFormation (SAM)
// or Terraform template: the desired state that deploy would make true,
// built for TemplateTarget, and the parameters it takes.
type Package struct {
	// Desired is the desired state; its ARNs hold the pseudo parameters
	// of TemplateTarget and its table streams "${<Parameter>}".
	Desired *Desired
	// Parameters are sorted by name.
	Parameters []StreamParameter
	// Warnings are problems that do not stop the package (the desired
	// state's included).
	Warnings []string
}

// NewPackage builds the package of a project from the same desired state
// deploy plans (BuildDesired), with policies from src (nil means
// FilePolicies, as in PlanProject): what deploy would create and what the
// template creates cannot differ. Generated policies should be resolved
// for TemplateTarget.
func NewPackage(ctx context.Context, p *Project, src PolicySource) (*Package, error) {
	generated := src != nil
	if src == nil {
		src = FilePolicies
	}
	pol, err := Policies(ctx, p.Manifest, p.Settings, src)
	if err != nil {
		return nil, err
	}
	params, streams, err := streamParameters(p)
	if err != nil {
		return nil, err
	}
	d, err := BuildDesired(Input{Manifest: p.Manifest, Settings: p.Settings, Policies: pol, Streams: streams,
		Target: TemplateTarget, Code: p.Code, GeneratedPolicies: generated})
	if err != nil {
		return nil, err
	}
	if d.Stage == "" {
		d.Stage = p.Stage
	}
	pk := &Package{Desired: d, Parameters: params, Warnings: slices.Clone(d.Warnings)}
	for _, r := range d.Resources {
		if k, ok := kindOf(r.Type); ok && k.packageWarning != nil {
			if w := k.packageWarning(r); w != "" {
				pk.Warnings = append(pk.Warnings, w)
			}
		}
	}
	for _, prm := range params {
		for _, fn := range prm.Functions {
			s := p.Settings[fn]
			if s != nil && s.ManageIAMRole && !s.AutogenPolicy {
				pk.Warnings = append(pk.Warnings, fmt.Sprintf(
					"function %s reads the stream of table %s, a template parameter, so its policy file %s cannot be checked: make sure it allows dynamodb:DescribeStream, dynamodb:GetRecords and dynamodb:GetShardIterator on that stream, and dynamodb:ListStreams on \"*\"",
					fn, prm.Table, s.IAMPolicyFile))
			}
		}
	}
	return pk, nil
}

// streamParameters makes a parameter for every table that a stream
// function names instead of a stream ARN, and returns the desired state's
// Streams input that points at them.
func streamParameters(p *Project) ([]StreamParameter, map[string]string, error) {
	byTable := map[string]*StreamParameter{}
	for _, fn := range p.Manifest.Functions {
		src := fn.DynamoDBStream
		if fn.Kind != manifest.KindDynamoDBStream || src == nil || src.Stream == "" || strings.HasPrefix(src.Stream, "arn:") {
			continue
		}
		prm := byTable[src.Stream]
		if prm == nil {
			prm = &StreamParameter{Name: LogicalID(src.Stream) + "StreamArn", Variable: strings.ReplaceAll(terraformName(src.Stream), "-", "_") + "_stream_arn", Table: src.Stream}
			byTable[src.Stream] = prm
		}
		prm.Functions = append(prm.Functions, fn.Name)
	}
	var out []StreamParameter
	streams := map[string]string{}
	names := map[string]string{}
	for _, prm := range byTable {
		if other, dup := names[prm.Name]; dup {
			return nil, nil, fmt.Errorf("tables %s and %s both make the template parameter %s: rename one of the tables, or name its stream ARN instead", other, prm.Table, prm.Name)
		}
		names[prm.Name] = prm.Table
		streams[prm.Table] = "${" + prm.Name + "}"
		out = append(out, *prm)
	}
	slices.SortFunc(out, func(a, b StreamParameter) int { return strings.Compare(a.Name, b.Name) })
	return out, streams, nil
}

// LogicalID returns the CloudFormation logical ID of an app function (or
// table): Chalice's, "APIHandler" for the API handler, the name in
// CamelCase for the others ("handle_stream" is "HandleStream"). Characters
// a logical ID cannot hold are dropped.
func LogicalID(name string) string {
	if name == manifest.APIHandlerName {
		return "APIHandler"
	}
	var b strings.Builder
	upper := true
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if upper {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

// terraformName returns name as a Terraform block label: letters, digits,
// "_" and "-", starting with a letter or "_".
func terraformName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	s := b.String()
	if s == "" || unicode.IsDigit(rune(s[0])) || s[0] == '-' {
		s = "_" + s
	}
	return s
}
