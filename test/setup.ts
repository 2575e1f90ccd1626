// Tests never leave the machine: no SDK may probe a cloud metadata address, and
// no ambient profile or credentials may leak in from the developer's shell.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.AWS_SDK_LOAD_CONFIG = '0';
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
process.env.NO_COLOR = '1';
