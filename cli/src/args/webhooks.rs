//! Arguments of `letta webhooks ...`.

use clap::{ArgGroup, Args, Subcommand};
use letta::types::EventType;

use super::commerce::PageArgs;
use super::sdk_enum;

#[derive(Debug, Subcommand)]
pub(crate) enum WebhooksArgs {
    /// List webhook endpoints
    List(PageArgs),

    /// Show one endpoint
    Get {
        /// Endpoint id, such as whk_00000001N4P8VZ6C
        id: String,
    },

    /// Register an endpoint and print it with its signing secret
    Create {
        /// URL that receives the deliveries, http or https
        #[arg(long)]
        url: String,

        /// Event type to deliver; repeat for several
        #[arg(long = "event", value_name = "TYPE", required = true, value_parser = sdk_enum::<EventType>(EventType::known_values()))]
        events: Vec<EventType>,

        /// Free text to recognise the endpoint by
        #[arg(long)]
        description: Option<String>,
    },

    /// Change some fields of an endpoint and keep the rest
    Update(UpdateWebhookArgs),

    /// Delete an endpoint
    Delete {
        /// Endpoint id
        id: String,
    },

    /// Replace the signing secret and print the new one; the old one keeps
    /// signing for 24 hours
    RotateSecret {
        /// Endpoint id
        id: String,
    },

    /// Send a webhook.test event to an endpoint
    Test {
        /// Endpoint id
        id: String,
    },

    /// List the delivery attempts of an endpoint
    Deliveries {
        /// Endpoint id
        id: String,

        #[command(flatten)]
        page: PageArgs,
    },

    /// Deliver the event of a past attempt again
    Resend {
        /// Endpoint id
        id: String,

        /// Delivery id, such as del_0000000G3HY5RM1W
        delivery_id: String,
    },

    /// Receive deliveries on a local port through a temporary endpoint,
    /// verify and print each one, until Ctrl-C
    Listen(ListenArgs),
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("changes")
        .args(["url", "events", "description", "enable", "disable"])
        .required(true)
        .multiple(true)
))]
pub(crate) struct UpdateWebhookArgs {
    /// Endpoint id
    pub(crate) id: String,

    /// New URL
    #[arg(long)]
    pub(crate) url: Option<String>,

    /// Event type to deliver, replacing the current list; repeat for several
    #[arg(long = "event", value_name = "TYPE", value_parser = sdk_enum::<EventType>(EventType::known_values()))]
    pub(crate) events: Vec<EventType>,

    /// New description
    #[arg(long)]
    pub(crate) description: Option<String>,

    /// Enable the endpoint and reset its failure count
    #[arg(long, conflicts_with = "disable")]
    pub(crate) enable: bool,

    /// Disable the endpoint
    #[arg(long)]
    pub(crate) disable: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// Event types to receive, comma-separated [default: every type]
    #[arg(long, value_name = "TYPES", value_delimiter = ',', value_parser = sdk_enum::<EventType>(EventType::known_values()))]
    pub(crate) events: Vec<EventType>,

    /// Also send each delivery, body and webhook-* headers unchanged, to
    /// this URL
    #[arg(long, value_name = "URL")]
    pub(crate) forward_to: Option<String>,

    /// Local port to receive on [default: a free port]
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) port: u16,
}
