import { describeContract } from './contract-suite';

describeContract('memory');
