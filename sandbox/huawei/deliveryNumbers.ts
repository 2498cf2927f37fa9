/** What the status reports of an accepted message look like (`delivered` is the default). */
export type DeliveryOutcome =
  | 'delivered'
  | 'undelivered'
  | 'expired'
  | 'two_part'
  | 'duplicate'
  | 'out_of_order'
  | 'slow'
  | 'never'
  | 'two_part_mixed'
  | 'rejected'
  | 'route_error'
  | 'minute_limit'
  | 'blocklisted'
  | 'operator_blocklisted'
  | 'deleted'
  | 'unknown'
  | 'gateway_unmatched'
  | 'expired_unreported';

/** A magic number accepted normally at submit whose reports differ. */
export interface DeliveryNumber {
  number: string;
  delivery: DeliveryOutcome;
  description: string;
}

/** `+659000100x`/`+65900010xx`: one number per report variant, in the order they were added. */
export const DELIVERY_NUMBERS: readonly DeliveryNumber[] = [
  {
    number: '+6590001001',
    delivery: 'undelivered',
    description: 'Accepted, then reported UNDELIV (orgCode DB:0108) after the delivery delay.',
  },
  {
    number: '+6590001002',
    delivery: 'expired',
    description: 'Accepted, then reported EXPIRED after the delivery delay.',
  },
  {
    number: '+6590001003',
    delivery: 'two_part',
    description:
      'A two-part message: two DELIVRD reports (total=2, sequence 1 then 2), 300 ms apart.',
  },
  {
    number: '+6590001004',
    delivery: 'duplicate',
    description: 'The same DELIVRD report (identical body) pushed twice, 300 ms apart.',
  },
  {
    number: '+6590001005',
    delivery: 'out_of_order',
    description: 'DELIVRD first, then 300 ms later an ACCEPTD whose updateTime is earlier.',
  },
  {
    number: '+6590001006',
    delivery: 'slow',
    description: 'DELIVRD only after five times the delivery delay.',
  },
  {
    number: '+6590001007',
    delivery: 'never',
    description: 'Accepted, and never reported: no push at all.',
  },
  {
    number: '+6590001008',
    delivery: 'two_part_mixed',
    description: 'A two-part message: part 1 DELIVRD, then 300 ms later part 2 UNDELIV.',
  },
  {
    number: '+6590001009',
    delivery: 'rejected',
    description: 'Accepted, then reported REJECTD by the operator after the delivery delay.',
  },
  {
    number: '+6590001010',
    delivery: 'route_error',
    description: "RTE_ERR from the SMSC (source 2) with orgCode E200027: the guide's own example.",
  },
  {
    number: '+6590001011',
    delivery: 'minute_limit',
    description: 'MILIMIT from the SMSC (source 2): too many messages to the number in a minute.',
  },
  {
    number: '+6590001012',
    delivery: 'blocklisted',
    description: 'BLACK from the SMSC (source 2): the number opted out or complained.',
  },
  {
    number: '+6590001013',
    delivery: 'operator_blocklisted',
    description: "MBBLACK from the SMSC (source 2): the operator's blocklist.",
  },
  {
    number: '+6590001014',
    delivery: 'deleted',
    description: 'DELETED from the SMSC (source 2).',
  },
  {
    number: '+6590001015',
    delivery: 'unknown',
    description: 'UNKNOWN from the SMSC (source 2): not an end, the message stays in flight.',
  },
  {
    number: '+6590001016',
    delivery: 'gateway_unmatched',
    description:
      'Status E200027 from the Huawei platform (source 3), without updateTime or orgCode.',
  },
  {
    number: '+6590001017',
    delivery: 'expired_unreported',
    description:
      'EXPIRED made by the SMS platform itself (source 1, no SMSC report): no updateTime, no orgCode.',
  },
];
