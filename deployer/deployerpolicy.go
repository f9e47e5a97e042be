package deployer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/iam"
	"github.com/gochalice/gochalice/manifest"
)

// DeployerPolicy returns the least-privilege IAM policy of the identity
// that runs gochalice deploy, delete and invoke for p's app stage in t:
// the IAM, Lambda, API Gateway, CloudWatch Logs, DynamoDB and STS actions
// the deployer calls, each scoped to the app stage's own names — roles
// "<app>-<stage>-*", functions "<app>-<stage>" and "<app>-<stage>-*",
// their log groups — and iam:PassRole limited to those roles (and the
// pre-made roles the stage names) passed to Lambda.
//
// Statements are included for the kinds of resource the app stage has, or
// that recorded (the stage's recorded state, nil for none) still holds, so
// a deploy that sweeps them or a delete can remove them: the REST API
// statements only with an API handler, the event source mapping ones only
// with a DynamoDB stream function, the role ones only when gochalice
// manages a role, the log group ones only with log_retention_in_days,
// lambda:GetLayerVersion only on the layers named, and the EC2 reads that
// Lambda asks of a caller attaching a function to a VPC only with subnets
// or security groups.
//
// Some actions cannot be scoped further: sts:GetCallerIdentity,
// logs:DescribeLogGroups and lambda:ListEventSourceMappings accept only
// "*"; lambda:CreateEventSourceMapping accepts only "*" and is limited to
// the app's functions by the lambda:FunctionArn condition (as are reads,
// updates and deletes of mappings); API Gateway names REST APIs by ids it chooses,
// so its actions (the HTTP verbs of its control API) cover every REST API
// of the region. The partition, region and account come from t verbatim,
// so placeholders such as "${AWS::Region}" stay as they are.
func DeployerPolicy(p *Project, recorded *State, t Target) (*iam.Policy, error) {
	if p == nil || p.Manifest == nil {
		return nil, errors.New("deployer policy: no manifest")
	}
	app := p.Manifest.AppName
	if p.Config != nil && p.Config.AppName() != "" {
		app = p.Config.AppName()
	}
	if app == "" || p.Stage == "" {
		return nil, errors.New("deployer policy: the app name and the stage are needed")
	}
	prefix := app + "-" + p.Stage

	var need struct{ roles, api, apiPolicy, mappings, logGroups, vpc bool }
	var preMadeRoles, layers, tables []string
	for _, fn := range p.Manifest.Functions {
		s := p.Settings[fn.Name]
		if s == nil {
			return nil, fmt.Errorf("deployer policy: function %s has no resolved settings", fn.Name)
		}
		if s.ManageIAMRole {
			need.roles = true
		} else if s.IAMRoleARN != "" {
			preMadeRoles = append(preMadeRoles, s.IAMRoleARN)
		}
		if fn.Kind == manifest.KindAPI {
			need.api = true
			need.apiPolicy = need.apiPolicy || s.APIGatewayPolicy != nil
		}
		if fn.Kind == manifest.KindDynamoDBStream {
			need.mappings = true
			if src := fn.DynamoDBStream; src != nil && src.Stream != "" && !strings.HasPrefix(src.Stream, "arn:") {
				tables = append(tables, src.Stream)
			}
		}
		need.logGroups = need.logGroups || s.LogRetentionInDays > 0
		need.vpc = need.vpc || len(s.SubnetIDs) > 0 || len(s.SecurityGroupIDs) > 0
		layers = append(layers, s.Layers...)
	}
	if recorded != nil {
		for _, r := range recorded.Resources {
			switch r.Type {
			case TypeRole:
				need.roles = true
			case TypeRestAPI, TypeDeployment, TypePermission:
				need.api = true
			case TypeEventSourceMapping:
				need.mappings = true
			case TypeLogGroup:
				need.logGroups = true
			}
		}
	}

	arn := func(service, region, account, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", t.Partition, service, region, account, resource)
	}
	functions := iam.Strings{
		arn("lambda", t.Region, t.Account, "function:"+prefix),
		arn("lambda", t.Region, t.Account, "function:"+prefix+"-*"),
	}
	roles := iam.Strings{arn("iam", "", t.Account, "role/"+prefix+"-*")}
	restAPIs := arn("apigateway", t.Region, "", "/restapis")
	// Only functions other than the API handler read streams.
	forFunctions := iam.Conditions{"ArnLike": {"lambda:FunctionArn": functions[1:]}}

	pol := &iam.Policy{Version: iam.Version}
	add := func(sid string, actions []string, resources iam.Strings, cond iam.Conditions) {
		pol.Statement = append(pol.Statement, iam.Statement{
			Sid: sid, Effect: "Allow", Action: iam.Strings(actions), Resource: resources, Condition: cond,
		})
	}

	add("FindAccount", []string{"sts:GetCallerIdentity"}, iam.Strings{"*"}, nil)
	add("ManageFunctions", []string{
		"lambda:CreateFunction",
		"lambda:DeleteFunction",
		"lambda:DeleteFunctionConcurrency",
		"lambda:GetFunction",
		// GetFunction returns a function's tags only to a caller allowed
		// lambda:ListTags; without them every deploy would re-tag.
		"lambda:ListTags",
		"lambda:PutFunctionConcurrency",
		"lambda:TagResource",
		"lambda:UntagResource",
		"lambda:UpdateFunctionCode",
		"lambda:UpdateFunctionConfiguration",
	}, functions, nil)
	add("InvokeFunctions", []string{"lambda:InvokeFunction"}, functions, nil)

	passable := slices.Clone(preMadeRoles)
	if need.roles {
		passable = append(passable, roles...)
		add("ManageRoles", []string{
			"iam:CreateRole",
			"iam:DeleteRole",
			"iam:DeleteRolePolicy",
			"iam:GetRole",
			"iam:GetRolePolicy",
			"iam:PutRolePolicy",
			"iam:UpdateAssumeRolePolicy",
		}, roles, nil)
	}
	if len(passable) > 0 {
		add("PassRolesToLambda", []string{"iam:PassRole"}, iam.Strings(passable),
			iam.Conditions{"StringEquals": {"iam:PassedToService": {"lambda.amazonaws.com"}}})
	}

	if need.api {
		apiHandler := iam.Strings{arn("lambda", t.Region, t.Account, "function:"+prefix)}
		add("ListAndImportRestAPIs", []string{"apigateway:GET", "apigateway:POST"}, iam.Strings{restAPIs}, nil)
		add("ManageRestAPIs", []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:PUT"},
			iam.Strings{restAPIs + "/*"}, nil)
		add("DeployRestAPIs", []string{"apigateway:POST"}, iam.Strings{restAPIs + "/*/deployments"}, nil)
		if need.apiPolicy {
			add("SetRestAPIPolicy", []string{"apigateway:UpdateRestApiPolicy"}, iam.Strings{restAPIs, restAPIs + "/*"}, nil)
		}
		add("ReadAndRevokeAPIGatewayInvoke", []string{"lambda:GetPolicy", "lambda:RemovePermission"}, apiHandler, nil)
		add("LetAPIGatewayInvoke", []string{"lambda:AddPermission"}, apiHandler,
			iam.Conditions{"StringEquals": {"lambda:Principal": {"apigateway.amazonaws.com"}}})
	}

	if need.mappings {
		add("ListEventSourceMappings", []string{"lambda:ListEventSourceMappings"}, iam.Strings{"*"}, nil)
		add("CreateEventSourceMappings", []string{"lambda:CreateEventSourceMapping"}, iam.Strings{"*"}, forFunctions)
		add("ChangeEventSourceMappings", []string{"lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"},
			iam.Strings{arn("lambda", t.Region, t.Account, "event-source-mapping:*")}, forFunctions)
	}
	if len(tables) > 0 {
		var res iam.Strings
		for _, tb := range tables {
			res = append(res, arn("dynamodb", t.Region, t.Account, "table/"+tb))
		}
		add("FindTableStreams", []string{"dynamodb:DescribeTable"}, res, nil)
	}

	if need.logGroups {
		logGroup := func(name string) string { return arn("logs", t.Region, t.Account, "log-group:/aws/lambda/"+name) }
		add("ListLogGroups", []string{"logs:DescribeLogGroups"}, iam.Strings{"*"}, nil)
		add("ManageLogGroups", []string{"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy"},
			iam.Strings{logGroup(prefix), logGroup(prefix + ":*"), logGroup(prefix + "-*")}, nil)
	}
	if len(layers) > 0 {
		add("UseLayers", []string{"lambda:GetLayerVersion"}, iam.Strings(layers), nil)
	}
	if need.vpc {
		add("AttachFunctionsToVPC", []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"}, iam.Strings{"*"}, nil)
	}
	return pol.Canonical(), nil
}
