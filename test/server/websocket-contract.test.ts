import { describeContract } from '../rpc/contract-suite';

describeContract('websocket');
