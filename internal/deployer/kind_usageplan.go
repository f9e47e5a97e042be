package deployer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	iampolicy "github.com/gochalice/gochalice/internal/iam"
)

// The REST API's usage plan (usage_plan): API Gateway accepts an API key
// on a route that requires one only when the key belongs to a usage plan
// of the API's stage. The deploy makes the plan <app>-<stage> for the
// stage; the user makes the keys and adds them to it. Deleting the plan
// never deletes a key.

// UsagePlanSpec is the usage plan of the REST API's stage.
type UsagePlanSpec struct {
	// Description marks the plan as this app's and stage's.
	Description string `json:"description"`
	// APIStage is the REST API's stage the plan is for.
	APIStage string `json:"api_stage"`
}

const usagePlanAddr = "usage_plan"

// usagePlanLogicalID is the CloudFormation logical ID of the usage plan.
const usagePlanLogicalID = "UsagePlan"

// usagePlanKind is the REST API stage's usage plan (api_usage_plan,
// "usage_plan").
func usagePlanKind() kind {
	return kind{
		apply: applyUsagePlan, delete: deleteUsagePlan, read: readUsagePlanKind, attributes: usagePlanAttributes,
		discover:        discoverUsagePlan,
		sharedLogicalID: usagePlanLogicalID,
		cloudFormation:  usagePlanCloudFormation,
		terraformName:   restAPITerraformName,
		terraform:       usagePlanTerraform,
		// GetUsagePlans is GET /usageplans, CreateUsagePlan POST; a plan's
		// API stages change with PATCH.
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iampolicy.Statement {
			usagePlans := c.t.APIGateway("/usageplans")
			return []iampolicy.Statement{
				allow("ListAndCreateUsagePlans", []string{"apigateway:GET", "apigateway:POST"}, iampolicy.Strings{usagePlans}, nil),
				allow("ManageUsagePlans", []string{"apigateway:DELETE", "apigateway:PATCH"}, iampolicy.Strings{usagePlans + "/*"}, nil),
				// CreateUsagePlan tags the plan as the stage's (PUT /tags).
				allow("TagUsagePlans", []string{"apigateway:PUT"}, iampolicy.Strings{c.t.APIGateway("/tags/*")}, nil),
			}
		},
	}
}

// apiStageKey is API Gateway's spelling of an API stage in a usage plan's
// patch operations: "<api id>:<stage>".
func apiStageKey(apiID, stage string) string { return apiID + ":" + stage }

// usagePlanStages returns the plan's API stages as sorted apiStageKeys.
func usagePlanStages(p *apigwtypes.UsagePlan) []string {
	var out []string
	for _, s := range p.ApiStages {
		out = append(out, apiStageKey(aws.ToString(s.ApiId), aws.ToString(s.Stage)))
	}
	slices.Sort(out)
	return out
}

func usagePlanState(name string, p *apigwtypes.UsagePlan) ResourceState {
	return ResourceState{Type: TypeUsagePlan, Name: name, ID: aws.ToString(p.Id), Attributes: map[string]string{
		"description": aws.ToString(p.Description),
		"api_stages":  strings.Join(usagePlanStages(p), ","),
	}}
}

// usagePlanAttributes are the plan's description and its one API stage,
// "<REST API id>:<stage>" (KnownAfterApply while the API is not
// recorded).
func usagePlanAttributes(r *Resource, actual *State) map[string]string {
	stage := KnownAfterApply
	if actual != nil {
		if api, ok := actual.Resources[restAPIAddr]; ok && api.ID != "" {
			stage = apiStageKey(api.ID, r.UsagePlan.APIStage)
		}
	}
	return map[string]string{"description": r.UsagePlan.Description, "api_stages": stage}
}

func applyUsagePlan(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.UsagePlan
	api, ok := a.get(restAPIAddr)
	if !ok || api.ID == "" {
		return fmt.Errorf("the REST API is not recorded")
	}
	want := []string{apiStageKey(api.ID, spec.APIStage)}
	rs, recorded := a.get(r.Address)
	// What the plan holds now, not what was recorded: deleting a stage
	// (a renamed one, say) takes it out of its plans.
	id := ""
	if recorded {
		id = rs.ID
	}
	p, err := d.findUsagePlan(ctx, r.Name, spec.Description, id)
	if err != nil {
		return err
	}
	if p == nil {
		var out *apigateway.CreateUsagePlanOutput
		adopted, err := d.createOnce(ctx, func() (err error) {
			out, err = d.Clients.APIGateway.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{
				Name: aws.String(r.Name), Description: aws.String(spec.Description),
				ApiStages: []apigwtypes.ApiStage{{ApiId: aws.String(api.ID), Stage: aws.String(spec.APIStage)}},
				Tags:      a.stage().Tags(),
			}, apigwOnce)
			return err
		}, func() (bool, error) {
			p, err = d.findUsagePlan(ctx, r.Name, spec.Description, "")
			return p != nil, err
		})
		if err != nil {
			return fmt.Errorf("create usage plan %s: %w", r.Name, err)
		}
		if !adopted {
			p = &apigwtypes.UsagePlan{Id: out.Id, Name: out.Name, Description: out.Description, ApiStages: out.ApiStages}
		}
	}
	if !recorded || rs.ID != aws.ToString(p.Id) {
		// Record it at once: one made by an earlier try whose answer was
		// lost was adopted above (found by name and description).
		rs = usagePlanState(r.Name, p)
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	have, desc := usagePlanStages(p), aws.ToString(p.Description)
	// The plan is this stage's only: other API stages leave it.
	var ops []apigwtypes.PatchOperation
	for _, s := range have {
		if !slices.Contains(want, s) {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpRemove, Path: aws.String("/apiStages"), Value: aws.String(s)})
		}
	}
	for _, s := range want {
		if !slices.Contains(have, s) {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpAdd, Path: aws.String("/apiStages"), Value: aws.String(s)})
		}
	}
	if desc != spec.Description {
		ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String("/description"), Value: aws.String(spec.Description)})
	}
	if len(ops) > 0 {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: &rs.ID, PatchOperations: ops})
			return err
		}); err != nil {
			return fmt.Errorf("update usage plan %s: %w", r.Name, err)
		}
	}
	rs.Attributes = map[string]string{"description": spec.Description, "api_stages": strings.Join(want, ",")}
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

// deleteUsagePlan takes the plan's API stages out of it, as API Gateway
// deletes only a plan without stages, then deletes it. Its keys leave the
// plan with it; the API keys themselves stay, as they are the user's.
func deleteUsagePlan(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	p, err := d.findUsagePlan(ctx, "", "", prior.ID)
	if err != nil || p == nil {
		return err
	}
	if stages := usagePlanStages(p); len(stages) > 0 {
		var ops []apigwtypes.PatchOperation
		for _, s := range stages {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpRemove, Path: aws.String("/apiStages"), Value: aws.String(s)})
		}
		err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: &prior.ID, PatchOperations: ops})
			return err
		})
		if err := ignore[*apigwtypes.NotFoundException](err); err != nil {
			return fmt.Errorf("remove the API stages of usage plan %s: %w", prior.Name, err)
		}
	}
	err = d.retry(ctx, func() error {
		_, err := d.Clients.APIGateway.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: &prior.ID})
		return err
	})
	if err := ignore[*apigwtypes.NotFoundException](err); err != nil {
		return fmt.Errorf("delete usage plan %s: %w", prior.Name, err)
	}
	return nil
}

func readUsagePlanKind(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	d := rd.d
	name, desc, id := "", "", ""
	if want != nil {
		name, desc = want.Name, want.UsagePlan.Description
	} else {
		name, desc = rec.Name, rec.Attributes["description"]
	}
	if rec != nil {
		id = rec.ID
	}
	p, err := d.findUsagePlan(ctx, name, desc, id)
	if err != nil || p == nil {
		return ResourceState{}, false, err
	}
	return usagePlanState(name, p), true, nil
}

// findUsagePlan returns the usage plan with the recorded id, or else
// (name not "") the one with this app's name and description; nil when
// there is none.
func (d *Deployer) findUsagePlan(ctx context.Context, name, desc, id string) (*apigwtypes.UsagePlan, error) {
	var byName *apigwtypes.UsagePlan
	var position *string
	for {
		var out *apigateway.GetUsagePlansOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.APIGateway.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{Limit: aws.Int32(500), Position: position})
			return err
		}); err != nil {
			return nil, fmt.Errorf("list usage plans: %w", err)
		}
		for i := range out.Items {
			p := &out.Items[i]
			if id != "" && aws.ToString(p.Id) == id {
				return p, nil
			}
			if byName == nil && name != "" && aws.ToString(p.Name) == name && aws.ToString(p.Description) == desc {
				byName = p
			}
		}
		if out.Position == nil || len(out.Items) == 0 {
			break
		}
		position = out.Position
	}
	return byName, nil
}

// usagePlanCloudFormation makes the plan an AWS::ApiGateway::UsagePlan of
// the REST API's stage. The SAM transform makes the stage; "RestAPI.Stage"
// refers to it (and makes the plan wait for it).
func usagePlanCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	api, ok := c.IDs[restAPIAddr]
	if !ok {
		return "", nil, fmt.Errorf("the template has no REST API for the usage plan")
	}
	return "AWS::ApiGateway::UsagePlan", map[string]any{
		"UsagePlanName": r.Name,
		"Description":   r.UsagePlan.Description,
		"ApiStages": []any{map[string]any{
			"ApiId": map[string]any{"Ref": api},
			"Stage": map[string]any{"Ref": api + ".Stage"},
		}},
	}, nil
}

// usagePlanTerraform makes the plan an aws_api_gateway_usage_plan of the
// REST API's stage.
func usagePlanTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	return []tfBlock{{typ: "aws_api_gateway_usage_plan", name: c.Name, body: map[string]any{
		"name":        tfLiteral(r.Name),
		"description": tfLiteral(r.UsagePlan.Description),
		"api_stages": map[string]any{
			"api_id": "${aws_api_gateway_rest_api." + restAPITerraformName + ".id}",
			"stage":  "${aws_api_gateway_stage." + restAPITerraformName + ".stage_name}",
		},
	}}}, nil
}
