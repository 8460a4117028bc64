import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface KeyMaterialProps {
  /**
   * Keep the keys when the stack goes away. Deleting a key makes everything wrapped by it
   * (signing keys, TOTP secrets) unrecoverable, so production retains them.
   * @default false
   */
  readonly retain?: boolean;
}

/**
 * The two KMS keys of the envelope scheme. They are separate so that a function allowed to unwrap
 * TOTP secrets cannot unwrap signing keys and the reverse: the IAM grant is the boundary.
 */
export class KeyMaterial extends Construct {
  /** Wraps the P-256 private keys that sign tokens. */
  readonly signingKey: Key;
  /** Wraps the data key that encrypts TOTP secrets. */
  readonly dataKey: Key;

  constructor(scope: Construct, id: string, props: KeyMaterialProps = {}) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // Outside production a deleted stack should not leave a key billing for the 30-day default.
    const pendingWindow = props.retain ? Duration.days(30) : Duration.days(7);
    this.signingKey = new Key(this, 'SigningKey', {
      description: 'Portcullis: wraps the token-signing private keys',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow,
    });
    this.dataKey = new Key(this, 'DataKey', {
      description: 'Portcullis: wraps the data key that encrypts TOTP secrets',
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow,
    });
  }
}
