package policygen_test

import (
	"errors"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/packages"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/iamdata"
	"github.com/gochalice/gochalice/internal/policygen/internal/awsdata"
)

// iamDataDir is where `npm ci` puts AWS's published IAM action list.
var iamDataDir = filepath.Join("..", "..", iamdata.Dir)

// iamActions loads AWS's published IAM action list: "prefix:Action" ->
// true. It skips the test when the list is absent.
func iamActions(tb testing.TB) map[string]bool {
	tb.Helper()
	actions, err := iamdata.Load(filepath.Join("..", ".."))
	if errors.Is(err, os.ErrNotExist) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return actions
}

// iamValidator returns a check that a generated policy has no wildcard
// action and only actions AWS defines.
func iamValidator(t *testing.T) func(*testing.T, string, *iam.Policy) {
	var once sync.Once
	var actions map[string]bool
	var skip bool
	return func(t *testing.T, fn string, p *iam.Policy) {
		t.Helper()
		once.Do(func() {
			if _, err := os.Stat(iamDataDir); err != nil {
				skip = true
				return
			}
			actions = iamActions(t)
		})
		for i, st := range p.Statement {
			if len(st.NotAction) > 0 {
				t.Errorf("%s: Statement[%d] uses NotAction", fn, i)
			}
			for _, a := range st.Action {
				if a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "*") {
					t.Errorf("%s: Statement[%d]: wildcard action %q", fn, i, a)
				}
				if !skip && !actions[a] {
					t.Errorf("%s: Statement[%d]: %q is not an action AWS defines", fn, i, a)
				}
			}
		}
	}
}

// TestTableActionsExist checks every action of the operation table against
// AWS's published IAM action list.
func TestTableActionsExist(t *testing.T) {
	actions := iamActions(t)
	table, err := awsdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	all := table.Actions()
	if len(all) < 500 {
		t.Errorf("table has %d actions, want the full data set", len(all))
	}
	for _, a := range all {
		if !actions[a] {
			t.Errorf("%s is not in the IAM action list", a)
		}
	}
}

// TestTableExceptions pins the operations whose IAM action is not
// <prefix>:<Operation>.
func TestTableExceptions(t *testing.T) {
	table, err := awsdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		svc, op string
		want    string
	}{
		{"s3", "ListObjectsV2", "s3:ListBucket"},
		{"s3", "HeadObject", "s3:GetObject"},
		{"s3", "DeleteObjects", "s3:DeleteObject"},
		{"s3", "ListBuckets", "s3:ListAllMyBuckets"},
		{"lambda", "Invoke", "lambda:InvokeFunction"},
		{"sqs", "SendMessageBatch", "sqs:SendMessage"},
		{"sns", "PublishBatch", "sns:Publish"},
		{"dynamodb", "TransactWriteItems", "dynamodb:ConditionCheckItem,dynamodb:DeleteItem,dynamodb:PutItem,dynamodb:UpdateItem"},
		{"dynamodbstreams", "GetRecords", "dynamodb:GetRecords"},
		{"eventbridge", "PutEvents", "events:PutEvents"},
		{"cloudwatchevents", "PutEvents", "events:PutEvents"},
		{"cloudwatch", "PutMetricData", "cloudwatch:PutMetricData"},
		{"dynamodb", "GetItem", "dynamodb:GetItem"},
		// Services beyond the common ones: the prefix is the IAM one, not
		// the package name.
		{"sfn", "StartExecution", "states:StartExecution"},
		{"cognitoidentityprovider", "AdminGetUser", "cognito-idp:AdminGetUser"},
		{"ecs", "RunTask", "ecs:RunTask"},
		{"ses", "SendEmail", "ses:SendEmail"},
		{"sesv2", "SendEmail", "ses:SendEmail"},
		{"textract", "AnalyzeDocument", "textract:AnalyzeDocument"},
		{"transcribe", "StartTranscriptionJob", "transcribe:StartTranscriptionJob"},
		{"rekognition", "SearchFacesByImage", "rekognition:SearchFacesByImage"},
		{"athena", "StartQueryExecution", "athena:StartQueryExecution"},
		{"iotdataplane", "Publish", "iot:Publish"},
		{"resourcegroupstaggingapi", "GetResources", "tag:GetResources"},
		{"cloudwatchlogs", "PutLogEvents", "logs:PutLogEvents"},
		{"sts", "AssumeRole", "sts:AssumeRole"},
		{"apigateway", "CreateRestApi", "apigateway:POST"},
		{"apigateway", "GetRestApi", "apigateway:GET"},
		{"apigatewayv2", "UpdateApi", "apigateway:PATCH"},
		{"apigatewaymanagementapi", "PostToConnection", "execute-api:ManageConnections"},
		{"bedrockruntime", "StartAsyncInvoke", "bedrock:InvokeModel"},
		{"kms", "ReEncrypt", "kms:ReEncryptFrom,kms:ReEncryptTo"},
	}
	for _, tc := range tests {
		t.Run(tc.svc+"."+tc.op, func(t *testing.T) {
			t.Parallel()
			got, known := table.Operation(tc.svc, tc.op)
			if !known {
				t.Fatalf("%s.%s not in the table", tc.svc, tc.op)
			}
			if diff := cmp.Diff(tc.want, strings.Join(got, ",")); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTableCoversTheSDK checks the data against every service module of
// the SDK this module requires (the compiled client types, not the data's
// own sources): every operation of every client is in the table, and all
// but a listed few map to actions. It also bounds how many services the
// table knows, so a generator run that loses the API models fails.
func TestTableCoversTheSDK(t *testing.T) {
	table, err := awsdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(table.Services()); n < 400 {
		t.Errorf("the table knows %d service packages, want every service of aws-sdk-go-v2 (400+)", n)
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes, Dir: "../.."}
	pkgs, err := packages.Load(cfg, "github.com/aws/aws-sdk-go-v2/service/...")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, pkg := range pkgs {
		if len(pkg.Errors) > 0 || strings.Contains(strings.TrimPrefix(pkg.PkgPath, "github.com/aws/aws-sdk-go-v2/service/"), "/") {
			continue
		}
		client, ok := pkg.Types.Scope().Lookup("Client").(*types.TypeName)
		if !ok {
			continue
		}
		ms := types.NewMethodSet(types.NewPointer(client.Type()))
		for i := 0; i < ms.Len(); i++ {
			m := ms.At(i).Obj()
			sig := m.Type().(*types.Signature)
			if sig.Params().Len() < 2 {
				continue
			}
			ptr, ok := sig.Params().At(1).Type().(*types.Pointer)
			if !ok {
				continue
			}
			if named, ok := ptr.Elem().(*types.Named); !ok || named.Obj().Name() != m.Name()+"Input" {
				continue
			}
			checked++
			actions, known := table.Operation(pkg.Name, m.Name())
			if !known {
				t.Errorf("%s.%s is not in the table: regenerate it (go generate ./internal/policygen/internal/awsdata)", pkg.Name, m.Name())
				continue
			}
			if len(actions) == 0 && !unmappedOK[pkg.Name+"."+m.Name()] {
				t.Errorf("%s.%s has no IAM action: add an op line to overrides.txt (or to unmappedOK here, with the reason)", pkg.Name, m.Name())
			}
		}
	}
	if checked < 1000 {
		t.Errorf("checked %d operations; want the SDK modules of go.mod loaded", checked)
	}
}

// unmappedOK are operations of the SDK modules this module requires that
// have no IAM action, each for the reason given. gen-policy reports a call
// of one as an error with a fix (add a statement by hand).
var unmappedOK = map[string]bool{}

func init() {
	for reason, ops := range map[string][]string{
		// Newer than AWS's published action list the data was built from.
		"newer than the action list": {
			"bedrockruntime.InvokeModelWithBidirectionalStream",
			"cloudwatchlogs.GetLogObject",
			"dynamodb.CancelBulkOperation", "dynamodb.DescribeBulkOperation",
			"dynamodb.ListBulkOperations", "dynamodb.StartBulkPutItems",
			"ecs.AssociateGatewayWithCluster", "ecs.CreateGateway", "ecs.DeleteGateway",
			"ecs.DescribeGateway", "ecs.DescribeGatewayResources", "ecs.DescribeGatewayRoute",
			"ecs.DisassociateGatewayFromCluster", "ecs.ListGatewayClusterAssociations",
			"ecs.ListGatewayRoutes", "ecs.ListGateways", "ecs.UpdateGateway",
			"iam.AcquireRole", "iam.UpdateDelegationRequest",
			"s3.CreateBucketMetadataConfiguration", "s3.DeleteBucketMetadataConfiguration",
			"s3.GetBucketMetadataConfiguration", "s3.RenameObject",
		},
		// Authorized by a bearer or user token, not by an IAM policy: the
		// SDK's own credential chain and sign-in clients, and Cognito's
		// calls made with a user's access token.
		"token-authorized, no IAM action": {
			"signin.CreateOAuth2TokenWithIAM", "signin.CreateOAuth2TokenWithTokenExchange",
			"signin.IntrospectOAuth2TokenWithIAM", "signin.RevokeOAuth2TokenWithIAM",
			"sso.GetRoleCredentials", "sso.ListAccountRoles", "sso.ListAccounts", "sso.Logout",
			"ssooidc.CreateToken", "ssooidc.RegisterClient", "ssooidc.StartDeviceAuthorization",
			"cognitoidentityprovider.CompleteWebAuthnRegistration",
			"cognitoidentityprovider.DeleteWebAuthnCredential",
			"cognitoidentityprovider.GetUserAuthFactors",
			"cognitoidentityprovider.ListWebAuthnCredentials",
			"cognitoidentityprovider.StartWebAuthnRegistration",
		},
	} {
		_ = reason
		for _, op := range ops {
			unmappedOK[op] = true
		}
	}
}
