/**
 * A custom domain (operator's or an enterprise tenant's) mapped onto the API's stage. Regional, like the
 * API, with a certificate the operator issued in ACM beforehand. DNS stays with the domain's owner: the
 * stack outputs the alias target to point a CNAME or alias record at; with `hostedZoneId` (a Route 53 zone
 * that holds the name) it writes the A alias record itself.
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { DomainConfig } from './config.ts';

export interface CustomDomainProps extends DomainConfig {
  readonly restApi: apigw.RestApi;
}

export class CustomDomain extends Construct {
  readonly domainName: apigw.DomainName;
  readonly url: string;

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    this.domainName = new apigw.DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    new apigw.BasePathMapping(this, 'Mapping', {
      domainName: this.domainName,
      restApi: props.restApi,
      stage: props.restApi.deploymentStage,
      ...(props.basePath ? { basePath: props.basePath } : {}),
    });
    if (props.hostedZoneId) {
      // The zone is named by id only; a fully qualified record name (trailing dot) needs no zone name.
      const zone = route53.HostedZone.fromHostedZoneId(this, 'Zone', props.hostedZoneId);
      new route53.ARecord(this, 'Alias', {
        zone,
        recordName: `${props.domainName}.`,
        target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(this.domainName)),
      });
    }
    this.url = `https://${props.domainName}/${props.basePath ? `${props.basePath}/` : ''}`;

    new CfnOutput(this, 'Url', { description: `API URL on ${props.domainName}`, value: this.url });
    new CfnOutput(this, 'AliasTarget', {
      description: `Point a CNAME or alias record for ${props.domainName} here`,
      value: this.domainName.domainNameAliasDomainName,
    });
  }
}
