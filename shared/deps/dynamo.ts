import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../store/client.ts';

let client: DynamoDBDocumentClient | undefined;

/**
 * The one DynamoDB client of a container: the message and opt-out stores share its connections,
 * so the opt-out check before a send rides the socket the message writes keep warm.
 */
export function documentClient(): DynamoDBDocumentClient {
  client ??= createDocumentClient();
  return client;
}
