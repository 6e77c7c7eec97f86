// The UK Open Banking v3.1 shapes Moneywise reads from the bank's API (Account and Transaction API,
// Payment Initiation API): only the members it shows or sends.

export interface ObAmount {
  Amount: string;
  Currency: string;
}

export interface ObAccount {
  AccountId: string;
  Currency: string;
  AccountType?: string;
  AccountSubType?: string;
  Nickname?: string;
  Account?: { SchemeName: string; Identification: string; Name?: string }[];
}

export interface ObBalance {
  AccountId: string;
  Amount: ObAmount;
  CreditDebitIndicator: string;
  Type: string;
  DateTime: string;
}

export interface ObTransaction {
  TransactionId?: string;
  TransactionReference?: string;
  Amount: ObAmount;
  CreditDebitIndicator: string;
  Status: string;
  BookingDateTime: string;
  TransactionInformation?: string;
}

export interface ObDomesticInitiation {
  InstructionIdentification: string;
  EndToEndIdentification: string;
  InstructedAmount: ObAmount;
  DebtorAccount?: { SchemeName: string; Identification: string; Name?: string };
  CreditorAccount: { SchemeName: string; Identification: string; Name: string };
  RemittanceInformation?: { Reference?: string; Unstructured?: string };
}
