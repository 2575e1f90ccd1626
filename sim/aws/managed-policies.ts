/**
 * The AWS managed policies the simulated fleet may attach, with their documents as AWS publishes them (the default
 * version), and for one an older version, so a reader that takes the first version instead of the default is caught.
 * Only a few: those an EKS account attaches (node role policies) and the ones the sample's paths need.
 */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  defaultVersionId: string;
  /** Oldest first; the one with `defaultVersionId` is the operative one. */
  versions: { versionId: string; document: object }[];
}

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

const WORKER_NODE_ACTIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVolumes',
  'ec2:DescribeVolumesModifications',
  'ec2:DescribeVpcs',
  'eks:DescribeCluster',
];

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    name: 'AdministratorAccess',
    path: '/',
    defaultVersionId: 'v1',
    versions: [{ versionId: 'v1', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }],
  },
  {
    name: 'AmazonEKSWorkerNodePolicy',
    path: '/',
    defaultVersionId: 'v3',
    versions: [
      { versionId: 'v1', document: doc({ Effect: 'Allow', Action: WORKER_NODE_ACTIONS, Resource: '*' }) },
      {
        versionId: 'v3',
        document: doc({
          Sid: 'WorkerNodePermissions',
          Effect: 'Allow',
          Action: [...WORKER_NODE_ACTIONS, 'eks-auth:AssumeRoleForPodIdentity'],
          Resource: '*',
        }),
      },
    ],
  },
  {
    name: 'AmazonEKS_CNI_Policy',
    path: '/',
    defaultVersionId: 'v1',
    versions: [
      {
        versionId: 'v1',
        document: doc(
          {
            Sid: 'AmazonEKSCNIPolicy',
            Effect: 'Allow',
            Action: [
              'ec2:AssignPrivateIpAddresses',
              'ec2:AttachNetworkInterface',
              'ec2:CreateNetworkInterface',
              'ec2:DeleteNetworkInterface',
              'ec2:DescribeInstances',
              'ec2:DescribeTags',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeInstanceTypes',
              'ec2:DescribeSubnets',
              'ec2:DetachNetworkInterface',
              'ec2:ModifyNetworkInterfaceAttribute',
              'ec2:UnassignPrivateIpAddresses',
            ],
            Resource: '*',
          },
          {
            Sid: 'AmazonEKSCNIPolicyENITag',
            Effect: 'Allow',
            Action: ['ec2:CreateTags'],
            Resource: ['arn:aws:ec2:*:*:network-interface/*'],
          },
        ),
      },
    ],
  },
  {
    name: 'AmazonEC2ContainerRegistryReadOnly',
    path: '/',
    defaultVersionId: 'v1',
    versions: [
      {
        versionId: 'v1',
        document: doc({
          Effect: 'Allow',
          Action: [
            'ecr:GetAuthorizationToken',
            'ecr:BatchCheckLayerAvailability',
            'ecr:GetDownloadUrlForLayer',
            'ecr:GetRepositoryPolicy',
            'ecr:DescribeRepositories',
            'ecr:ListImages',
            'ecr:DescribeImages',
            'ecr:BatchGetImage',
            'ecr:GetLifecyclePolicy',
            'ecr:GetLifecyclePolicyPreview',
            'ecr:ListTagsForResource',
            'ecr:DescribeImageScanFindings',
          ],
          Resource: '*',
        }),
      },
    ],
  },
  {
    name: 'AmazonS3ReadOnlyAccess',
    path: '/',
    defaultVersionId: 'v1',
    versions: [
      {
        versionId: 'v1',
        document: doc({
          Effect: 'Allow',
          Action: ['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'],
          Resource: '*',
        }),
      },
    ],
  },
  {
    name: 'IAMReadOnlyAccess',
    path: '/',
    defaultVersionId: 'v4',
    versions: [
      {
        versionId: 'v4',
        document: doc({
          Effect: 'Allow',
          Action: [
            'iam:GenerateCredentialReport',
            'iam:GenerateServiceLastAccessedDetails',
            'iam:Get*',
            'iam:List*',
            'iam:SimulateCustomPolicy',
            'iam:SimulatePrincipalPolicy',
          ],
          Resource: '*',
        }),
      },
    ],
  },
  {
    name: 'AmazonEKSClusterPolicy',
    path: '/',
    defaultVersionId: 'v1',
    versions: [
      {
        versionId: 'v1',
        document: doc({
          Effect: 'Allow',
          Action: [
            'autoscaling:DescribeAutoScalingGroups',
            'autoscaling:UpdateAutoScalingGroup',
            'ec2:AttachVolume',
            'ec2:AuthorizeSecurityGroupIngress',
            'ec2:CreateRoute',
            'ec2:CreateSecurityGroup',
            'ec2:CreateTags',
            'ec2:CreateVolume',
            'ec2:DeleteRoute',
            'ec2:DeleteSecurityGroup',
            'ec2:DeleteVolume',
            'ec2:Describe*',
            'ec2:DetachVolume',
            'ec2:ModifyInstanceAttribute',
            'ec2:ModifyVolume',
            'ec2:RevokeSecurityGroupIngress',
            'elasticloadbalancing:*',
            'kms:DescribeKey',
          ],
          Resource: '*',
        }),
      },
    ],
  },
];

/** `arn:aws:iam::aws:policy/<name>` (every AWS managed policy here has the path `/`). */
export const awsManagedPolicyArn = (name: string, partition = 'aws') => `arn:${partition}:iam::aws:policy/${name}`;

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return m ? AWS_MANAGED_POLICIES.find((p) => `${p.path.slice(1)}${p.name}` === m[1]) : undefined;
}

/** The policy every organization root carries unless replaced: allows everything (SCPs are ceilings, not grants). */
export const FULL_AWS_ACCESS_SCP = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess',
  document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
};
