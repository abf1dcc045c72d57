/**
 * A custom domain (operator's or an enterprise tenant's) mapped onto the API's stage. Regional, like the
 * API, with a certificate the operator issued in ACM beforehand. DNS stays with the domain's owner: the
 * stack outputs the alias target to point a CNAME or alias record at.
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
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
    this.url = `https://${props.domainName}/${props.basePath ? `${props.basePath}/` : ''}`;

    new CfnOutput(this, 'Url', { description: `API URL on ${props.domainName}`, value: this.url });
    new CfnOutput(this, 'AliasTarget', {
      description: `Point a CNAME or alias record for ${props.domainName} here`,
      value: this.domainName.domainNameAliasDomainName,
    });
  }
}
