// Package policygen generates least-privilege IAM policies for the
// functions of a gochalice app (and for plain aws-lambda-go programs) from
// the user's Go code.
//
// It loads the user's module with type information — from source the
// module's own packages and the libraries whose imports reach an SDK
// service, everything else from export data, so its cost grows with the
// user's code and not with the SDK — and finds, from each function's
// handlers and from what runs before them (package variables, init, main),
// every aws-sdk-go-v2 operation the code can reach: client calls, calls
// through interfaces (to the types the receiver can hold, when every value
// stored in it is visible), struct fields and function values, generics,
// helpers in other packages and modules, closures and goroutines,
// paginators, waiters, presigners, the S3 transfer manager and
// gochalice's app/wsapi.
// Operations map to IAM actions through checked-in data (internal/awsdata,
// generated from the SDK and AWS's published action list). Where a call's
// resource name is a constant or an environment variable the stage sets,
// the statement names the resource's ARN, with CloudFormation-style
// placeholders (${AWS::Partition}, ${AWS::Region}, ${AWS::AccountId}) that
// Resolve fills in; otherwise the resource is "*" and a diagnostic says
// where and how to scope it. A statement can carry a condition where IAM
// checks the call on another resource than the one the code names: a KMS
// call that names its key by alias ("alias/x", or an alias ARN) is
// allowed on the keys of the alias's account and region under
// StringEquals kms:RequestAlias, in a statement of its own.
package policygen
