import { OrchestrationClient } from '@claudesclaude/orchestration-sdk';
const client = new OrchestrationClient({
  databasePath: './orchestration.db',
  messageQueuePath: './.orchestration/queue'
});
const session = await client.sessions.create({
  type: 'director', name: 'main-director', workspace: '/workspace/main'
});
await client.messageBus.publish({
  type: 'COMMAND', sender: session.id, receiver: 'department-1',
  content: { action: 'process_data', data: {} }
});
