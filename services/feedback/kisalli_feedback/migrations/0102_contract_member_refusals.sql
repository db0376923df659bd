-- depends: 0101_feedback_read_models
-- Contracts whose tutor or apprentice the accounts service would not tie to
-- an account (ContractMemberRefused), so that the office sees why nobody
-- can act in that role and corrects the email.
CREATE TABLE contract_member_refusals (
    contract_id  text NOT NULL,
    role         text NOT NULL,
    reason       text NOT NULL,
    PRIMARY KEY (contract_id, role)
);
