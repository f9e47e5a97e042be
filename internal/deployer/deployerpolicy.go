package deployer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// DeployerPolicy returns the least-privilege IAM policy of the identity
// that runs gochalice deploy, delete and invoke for p's app stage in t:
// the IAM, Lambda, API Gateway, CloudWatch Logs, DynamoDB, STS,
// EventBridge, SNS and S3 actions the deployer calls, each scoped to the
// app stage's own names — roles "<app>-<stage>-*", functions
// "<app>-<stage>" and "<app>-<stage>-*", their log groups, rules
// "<app>-<stage>-*" on the default bus and on the app's buses — or to the
// sources the app names: the topics it subscribes to, the buckets whose
// notifications it merges into; and iam:PassRole limited to those roles
// (and the pre-made roles the stage names) passed to Lambda.
//
// Statements are included for the kinds of resource the app stage has, or
// that recorded (the stage's recorded state, nil for none) still holds, so
// a deploy that sweeps them or a delete can remove them: the REST API
// statements only with an API handler of a REST API, the HTTP API ones
// only with an HTTP API (api_gateway_type HTTP), the event source mapping
// ones only with a stream or queue function, the role ones only when
// gochalice manages a role, the log group ones only with
// log_retention_in_days, lambda:AddPermission on the other functions only
// for the services of their push sources and authorizers (the
// lambda:Principal condition), the asynchronous invocation settings only
// with a failure destination, lambda:GetLayerVersion only on the layers
// named, and the EC2 reads that Lambda asks of a caller attaching a
// function to a VPC only with subnets or security groups.
//
// Some actions cannot be scoped further: sts:GetCallerIdentity,
// logs:DescribeLogGroups and lambda:ListEventSourceMappings accept only
// "*"; lambda:CreateEventSourceMapping accepts only "*" and is limited to
// the app's functions by the lambda:FunctionArn condition (as are reads,
// updates and deletes of mappings); API Gateway names REST and HTTP APIs
// by ids it chooses, so its actions (the HTTP verbs of its control API)
// cover every API of the region. The pull sources' reads are the
// functions' execution roles' business, not the deployer's. The
// partition, region and account come from t verbatim, so placeholders
// such as "${AWS::Region}" stay as they are.
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

	arn := t.ARN
	var need struct{ roles, api, httpAPI, apiPolicy, usagePlan, mappings, logGroups, vpc, rules, invokeConfigs bool }
	var preMadeRoles, layers, tables []string
	// The push sources: the principals that get a permission on a
	// function other than the API handler, the buses of rules, the
	// topics subscribed to, the buckets notifying.
	principals, buses, topics, buckets := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
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
		switch fn.Kind {
		case manifest.KindAPI:
			if s.APIGatewayType == stages.APIGatewayTypeHTTP {
				need.httpAPI = true
			} else {
				need.api = true
				// A PRIVATE API without a policy of its own gets one that
				// admits only its VPC endpoints (apiResources).
				need.apiPolicy = need.apiPolicy || s.APIGatewayPolicy != nil ||
					(s.APIGatewayEndpointType == "PRIVATE" && len(s.APIGatewayEndpointVPCE) > 0)
				// Routes that require an API key get a usage plan
				// (apiResources).
				need.usagePlan = need.usagePlan || slices.ContainsFunc(p.Manifest.Routes, func(r manifest.Route) bool { return r.APIKeyRequired })
			}
		case manifest.KindDynamoDBStream:
			need.mappings = true
			if src := fn.DynamoDBStream; src != nil && src.Stream != "" && !strings.HasPrefix(src.Stream, "arn:") {
				tables = append(tables, src.Stream)
			}
		case manifest.KindSQS, manifest.KindKinesis:
			need.mappings = true
		case manifest.KindAuthorizer:
			principals["apigateway.amazonaws.com"] = true
		case manifest.KindSchedule:
			need.rules = true
			principals["events.amazonaws.com"] = true
		case manifest.KindEventBridge:
			need.rules = true
			principals["events.amazonaws.com"] = true
			if eb := fn.EventBridge; eb != nil && eb.Bus != "" && eb.Bus != "default" {
				bus := eb.Bus
				if i := strings.Index(bus, ":event-bus/"); i >= 0 {
					bus = bus[i+len(":event-bus/"):]
				}
				buses[bus] = true
			}
		case manifest.KindSNS:
			principals["sns.amazonaws.com"] = true
			if src := fn.SNS; src != nil && src.Topic != "" {
				topic := src.Topic
				if !strings.HasPrefix(topic, "arn:") {
					topic = arn("sns", t.Region, t.Account, topic)
				}
				topics[topic] = true
			}
		case manifest.KindS3:
			principals["s3.amazonaws.com"] = true
			if src := fn.S3; src != nil && src.Bucket != "" {
				buckets[src.Bucket[strings.LastIndex(src.Bucket, ":")+1:]] = true // a name, or arn:aws:s3:::name
			}
		}
		if fn.OnFailure != nil && asyncKind(fn.Kind) {
			need.invokeConfigs = true
		}
		need.logGroups = need.logGroups || s.LogRetentionInDays > 0
		need.vpc = need.vpc || len(s.SubnetIDs) > 0 || len(s.SecurityGroupIDs) > 0
		layers = append(layers, s.Layers...)
	}
	apiPermission := false
	if recorded != nil {
		for addr, r := range recorded.Resources {
			switch r.Type {
			case TypeRole:
				need.roles = true
			case TypeRestAPI, TypeDeployment:
				need.api = true
			case TypeHTTPAPI, TypeHTTPStage:
				need.httpAPI = true
			case TypeUsagePlan:
				need.usagePlan = true
			case TypePermission:
				if addr == permissionAddr(manifest.APIHandlerName) {
					apiPermission = true
				} else if pr := r.Attributes["principal"]; pr != "" {
					principals[pr] = true
				}
			case TypeEventSourceMapping:
				need.mappings = true
			case TypeLogGroup:
				need.logGroups = true
			case TypeRule:
				need.rules = true
				if bus := r.Attributes["event_bus_name"]; bus != "" && bus != "default" {
					buses[bus] = true
				}
			case TypeSubscription:
				if topic := r.Attributes["topic_arn"]; topic != "" {
					topics[topic] = true
				}
			case TypeBucketNotification:
				buckets[r.Name] = true
			case TypeInvokeConfig:
				need.invokeConfigs = true
			}
		}
	}
	if apiPermission && !need.api && !need.httpAPI {
		need.api = true
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

	if need.usagePlan {
		// GetUsagePlans is GET /usageplans, CreateUsagePlan POST; a plan's
		// API stages change with PATCH.
		usagePlans := arn("apigateway", t.Region, "", "/usageplans")
		add("ListAndCreateUsagePlans", []string{"apigateway:GET", "apigateway:POST"}, iam.Strings{usagePlans}, nil)
		add("ManageUsagePlans", []string{"apigateway:DELETE", "apigateway:PATCH"}, iam.Strings{usagePlans + "/*"}, nil)
	}

	if need.httpAPI {
		httpAPIs := arn("apigateway", t.Region, "", "/apis")
		// GetApis is GET /apis, ImportApi PUT /apis.
		add("ListAndImportHTTPAPIs", []string{"apigateway:GET", "apigateway:PUT"}, iam.Strings{httpAPIs}, nil)
		add("ManageHTTPAPIs", []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"},
			iam.Strings{httpAPIs + "/*"}, nil)
		if !need.api {
			apiHandler := iam.Strings{arn("lambda", t.Region, t.Account, "function:"+prefix)}
			add("ReadAndRevokeAPIGatewayInvoke", []string{"lambda:GetPolicy", "lambda:RemovePermission"}, apiHandler, nil)
			add("LetAPIGatewayInvoke", []string{"lambda:AddPermission"}, apiHandler,
				iam.Conditions{"StringEquals": {"lambda:Principal": {"apigateway.amazonaws.com"}}})
		}
	}
	if len(principals) > 0 {
		// Push sources and authorizers: a permission on a function other
		// than the API handler, for their services only.
		add("ReadAndRevokeSourceInvoke", []string{"lambda:GetPolicy", "lambda:RemovePermission"}, functions[1:], nil)
		add("LetSourcesInvoke", []string{"lambda:AddPermission"}, functions[1:],
			iam.Conditions{"StringEquals": {"lambda:Principal": slices.Sorted(maps.Keys(principals))}})
	}
	if need.invokeConfigs {
		add("ManageAsyncInvokeConfigs", []string{"lambda:DeleteFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig", "lambda:PutFunctionEventInvokeConfig"},
			functions[1:], nil)
	}
	if need.rules {
		rules := iam.Strings{arn("events", t.Region, t.Account, "rule/"+prefix+"-*")}
		for _, bus := range slices.Sorted(maps.Keys(buses)) {
			rules = append(rules, arn("events", t.Region, t.Account, "rule/"+bus+"/"+prefix+"-*"))
		}
		add("ManageRules", []string{"events:DeleteRule", "events:DescribeRule", "events:ListTargetsByRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets"},
			rules, nil)
	}
	if len(topics) > 0 {
		add("ManageSubscriptions", []string{"sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:SetSubscriptionAttributes", "sns:Subscribe", "sns:Unsubscribe"},
			iam.Strings(slices.Sorted(maps.Keys(topics))), nil)
	}
	if len(buckets) > 0 {
		var res iam.Strings
		for _, b := range slices.Sorted(maps.Keys(buckets)) {
			res = append(res, "arn:"+t.Partition+":s3:::"+b)
		}
		add("MergeBucketNotifications", []string{"s3:GetBucketNotification", "s3:PutBucketNotification"}, res, nil)
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
