/**
 * MQTT topics of one register, under its prefix (config `mqtt.topicPrefix`, default
 * `kassa/<deviceId>`). Documented in README.md "Topics".
 */
export interface Topics {
  /** Jobs in (QoS 1): the cloud publishes, the register subscribes. */
  readonly jobs: string;
  /** Results out (QoS 1): every state of every job, keyed by job id. */
  readonly results: string;
  /** Retained status (health); the broker publishes the last will `{"state":"offline"}` when the register vanishes. */
  readonly status: string;
  /** Provisioning in (QoS 1, retained by the cloud): settings the cloud may change. */
  readonly provisioning: string;
}

export function topicsFor(prefix: string): Topics {
  return { jobs: `${prefix}/jobs`, results: `${prefix}/results`, status: `${prefix}/status`, provisioning: `${prefix}/provisioning` };
}
